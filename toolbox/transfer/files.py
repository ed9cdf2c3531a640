"""Reading a file someone brings: its size, its encoding, its JSON, each refused with a sentence
that names the problem, before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolbox.errors import Invalid, TooLarge
from toolbox.i18n import gettext as _

#: The largest file an import reads (command line and web upload alike).
MAX_FILE_BYTES = 50 * 1000 * 1000


def too_large() -> TooLarge:
    return TooLarge(_("The file is too large (50 MB at most)."), field="file")


def cut_off() -> Invalid:
    return Invalid(
        _("The file ends too early: it was cut off. Download or save it again."), field="file"
    )


def read_file(path: Path) -> bytes:
    """A file's bytes, refusing one over the limit without reading it into memory."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise too_large()
        return path.read_bytes()
    except OSError as error:
        raise Invalid(
            _("The file cannot be read: %(reason)s", reason=error.strerror or str(error)),
            field="file",
        ) from None


def decode_text(data: bytes) -> str:
    """UTF-8 text, with or without the byte-order mark spreadsheets put first."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":  # cut off inside a character
            raise cut_off() from None
        raise Invalid(
            _(
                "The file is not UTF-8 text (the byte at position %(position)s is not). "
                "Save it again as UTF-8 and try again.",
                position=error.start,
            ),
            field="file",
        ) from None


def load_json(data: bytes) -> Any:
    """The JSON value in `data`, or an `Invalid` that tells a cut-off file from one that is not
    JSON at all (the first is a download that did not finish, the second the wrong file)."""
    text = decode_text(data)
    if not text.strip():
        raise Invalid(_("The file is empty."), field="file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        at_the_end = not text[error.pos :].strip() or error.msg.startswith("Unterminated")
        if at_the_end and text.lstrip()[:1] in {"{", "["}:
            raise cut_off() from None
        raise Invalid(
            _(
                "The file is not JSON (line %(line)s, column %(column)s).",
                line=error.lineno,
                column=error.colno,
            ),
            field="file",
        ) from None
    except RecursionError:
        raise Invalid(_("The file is not JSON this app can read."), field="file") from None
