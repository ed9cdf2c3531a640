"""Every string a person reads is in the catalog, and French is complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from toolbox import i18n

ROOT = Path(__file__).resolve().parent.parent


def test_french_catalog_is_complete_and_up_to_date(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-o",
            str(template),
            ".",  # the paths babel.cfg names are relative to the project
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        wanted = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }
    with (ROOT / "toolbox/locale/fr_CA/LC_MESSAGES/messages.po").open("rb") as handle:
        french = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in french
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(wanted - translated)
    assert not missing, f"run `make messages` and translate: {missing}"


def test_negotiation() -> None:
    assert i18n.negotiate("en-CA,en;q=0.9,fr;q=0.8", "fr_CA") == "en"
    assert i18n.negotiate("fr-FR,fr;q=0.9", "en") == "fr_CA"
    assert i18n.negotiate("de-DE", "fr_CA") == "fr_CA"
    assert i18n.negotiate("de, en;q=0.5", "fr_CA") == "en"
    assert i18n.negotiate(None, "en") == "en"


def test_placeholders_survive_translation() -> None:
    with i18n.use_locale("fr_CA"):
        assert i18n.gettext("This is too long (%(limit)s characters at most).", limit=5) == (
            "C’est trop long (5 caractères au maximum)."
        )
    with i18n.use_locale("en"):
        assert i18n.gettext("This is too long (%(limit)s characters at most).", limit=5) == (
            "This is too long (5 characters at most)."
        )
