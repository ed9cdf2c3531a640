"""The XSS corpus: markup that would run script if a field were written into a page, an
attribute, a URL, a feed or a calendar without escaping.

Each vector has a `JS` hole; each is filled with three bodies (a dialog, and two that set
`window.__xss`), so that a payload that slipped past one way of being neutralised is caught by
the test however the browser would run it. None reaches the network."""

from __future__ import annotations

BODIES = ("alert(1)", "window.__xss=1", "top['__xss']=1")

VECTORS = (
    # Classic script elements.
    "<script>JS</script>",
    "<SCRIPT>JS</SCRIPT>",
    "<script >JS</script >",
    "<script/x>JS</script>",
    "<script\n>JS</script>",
    "</title><script>JS</script>",
    "</textarea><script>JS</script>",
    "</script><script>JS</script>",
    "<scr<script>ipt>JS</scr</script>ipt>",
    "<!--<script>-->JS<!--</script>-->",
    # Event handlers.
    "<img src=x onerror=JS>",
    '<img src="x" onerror="JS">',
    "<img/src=x/onerror=JS>",
    "<svg onload=JS>",
    "<svg/onload=JS//",
    "<body onload=JS>",
    "<input autofocus onfocus=JS>",
    "<details open ontoggle=JS>",
    "<video><source onerror=JS></video>",
    "<audio src=x onerror=JS>",
    "<iframe srcdoc='<script>parent.JS</script>'>",
    '<iframe src="data:text/html,<script>JS</script>">',
    '<object data="data:text/html,<script>JS</script>">',
    '<embed src="data:text/html,<script>JS</script>">',
    "<marquee onstart=JS>x</marquee>",
    "<div onmouseover=JS style=position:fixed;inset:0>x</div>",
    "<select autofocus onfocus=JS>",
    "<textarea autofocus onfocus=JS>",
    "<keygen autofocus onfocus=JS>",
    "<form><button formaction=javascript:JS>x</button></form>",
    # Attribute breakouts.
    '"><img src=x onerror=JS>',
    "'><img src=x onerror=JS>",
    '" autofocus onfocus="JS" x="',
    "' autofocus onfocus='JS' x='",
    '"><svg onload=JS>',
    '" onmouseover="JS',
    "`><img src=x onerror=JS>",
    '"/><script>JS</script>',
    "</a><img src=x onerror=JS>",
    '"></div><script>JS</script>',
    # javascript: and data: URLs.
    "javascript:JS",
    "JaVaScRiPt:JS",
    " javascript:JS",
    "java\tscript:JS",
    "javascript&colon;JS",
    "&#106;avascript:JS",
    "<a href=javascript:JS>x</a>",
    '<a href="jav&#x61;script:JS">x</a>',
    "data:text/html,<script>JS</script>",
    "vbscript:JS",
    # SVG and MathML.
    "<svg><script>JS</script></svg>",
    "<svg><animate onbegin=JS attributeName=x dur=1s>",
    "<svg><a xlink:href=javascript:JS><text x=20 y=20>x</text></a></svg>",
    "<svg><foreignObject><img src=x onerror=JS></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=JS>",
    "<math href=javascript:JS>x</math>",
    "<svg><style><img src=x onerror=JS></style></svg>",
    '<noscript><p title="</noscript><img src=x onerror=JS>">',
    # Template injection (Jinja, htmx's own, other front ends).
    "{{JS}}",
    "{{7*7}}",
    "${JS}",
    "{% raw %}<script>JS</script>{% endraw %}",
    "{{constructor.constructor('JS')()}}",
    "#{JS}",
    "<%= JS %>",
    "[[JS]]",
    # htmx attributes.
    '<div hx-get="/" hx-trigger="load" hx-on::after-request="JS">x</div>',
    '<div hx-on:click="JS">x</div>',
    '<img src=x hx-on:error="JS">',
    '<div data-hx-on:load="JS" hx-trigger=load hx-get=/>x</div>',
    '<a hx-get="javascript:JS" hx-trigger="load">x</a>',
    '<div hx-vals="js:{a:JS}" hx-post="/" hx-trigger="load">x</div>',
    '<div hx-swap-oob="true" id="main"><script>JS</script></div>',
    "<div ws-send hx-trigger=load>JS</div>",
    # CSS.
    "<style>*{background:url(javascript:JS)}</style>",
    '<div style="background:url(javascript:JS)">x</div>',
    '<div style="x:expression(JS)">x</div>',
    "<style>@import 'javascript:JS';</style>",
    "<link rel=stylesheet href=javascript:JS>",
    # Unicode and encodings.
    "＜script＞JS＜/script＞",
    "\u202e<script>JS</script>",
    "%3Cscript%3EJS%3C/script%3E",
    "&lt;script&gt;JS&lt;/script&gt;",
    "\\x3cscript\\x3eJS\\x3c/script\\x3e",
    "\\u003cscript\\u003eJS\\u003c/script\\u003e",
    "<scr\u200bipt>JS</scr\u200bipt>",
    "+ADw-script+AD4-JS+ADw-/script+AD4-",
    "<img src=x onerror=&#x61;&#x6c;&#x65;&#x72;&#x74;(1)//JS>",
    "<IMG SRC=x ONERROR=JS>",
    # Markdown (card descriptions are rendered from it).
    "[x](javascript:JS)",
    "[x](JAVASCRIPT:JS)",
    "![x](javascript:JS)",
    "[x]( javascript:JS )",
    "<javascript:JS>",
    "[x](data:text/html,<script>JS</script>)",
    '[x](https://example.org "\\"><img src=x onerror=JS>")',
    "[x]: javascript:JS\n\n[x]",
    # Breaking out of JSON in a script block, and of XML, CSV and iCalendar.
    "</script><img src=x onerror=JS>",
    '"}]</script><script>JS</script>',
    "]]><script>JS</script>",
    '=HYPERLINK("javascript:JS")',
    "x\r\nDESCRIPTION:<script>JS</script>",
)


def payloads() -> list[str]:
    """Every vector with every body: well over 150 distinct payloads."""
    seen: list[str] = []
    for vector in VECTORS:
        for body in BODIES:
            payload = vector.replace("JS", body)
            if payload not in seen:
                seen.append(payload)
    return seen


PAYLOADS = payloads()
