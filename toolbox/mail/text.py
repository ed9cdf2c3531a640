"""The text of mails: plain-text Jinja templates (templates/mail/), in the recipient's language.

Its own module, below every domain: the brigade's mails (`toolbox.mail.messages`) and the
accounts' (`toolbox.accounts.mails`) share it, and accounts may not import the brigade.
"""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from toolbox.templating import TEMPLATE_DIR, install_translations


def _mail_environment() -> Environment:
    # The pages' environment autoescapes every template that is not .html or .xml (its default
    # is on), which would print "Arts &amp; Culture" in a plain-text mail. Mail is text/plain:
    # nothing here is ever parsed as HTML.
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,  # noqa: S701 - text/plain templates, see above
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    install_translations(env)
    return env


environment = _mail_environment()
