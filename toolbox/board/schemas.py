"""What a client may send to change a board, and the checks on it (shared by forms and the API)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from toolbox.board.models import DESCRIPTION_MAX, TITLE_MAX, Kind, Visibility
from toolbox.i18n import gettext as _
from toolbox.validation import DbInt, check_web_link

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
COLOUR = re.compile(r"^(#[0-9a-fA-F]{6}|[a-z]{3,12})$")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def _split_words(value: object) -> object:
    """Forms send "fr, en"; the API sends ["fr", "en"]: accept both."""
    if isinstance(value, str):
        return [part for part in re.split(r"[,\s]+", value) if part]
    return value


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _check_languages(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        code = value.strip()
        if not LANGUAGE_CODE.match(code):
            raise ValueError(_("“%(code)s” is not a language code such as fr or en.", code=code))
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _check_title(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(_("The title cannot be empty."))
    return value


def _check_colour(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not COLOUR.match(value.strip()):
        raise ValueError(_("The colour must be a name such as green, or a code such as #2a7b4f."))
    return value.strip()


def _check_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(
            _("The short name may only hold lowercase letters, digits and dashes (60 at most).")
        )
    return value


Title = Annotated[str, Field(max_length=TITLE_MAX), AfterValidator(_check_title)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX)]
WebLink = Annotated[str | None, Field(max_length=2000), AfterValidator(check_web_link)]
Languages = Annotated[
    list[Annotated[str, Field(max_length=20)]],
    BeforeValidator(_split_words),
    Field(max_length=20),
    AfterValidator(_check_languages),
]
Words = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=80)]],
    BeforeValidator(_split_commas),
    Field(max_length=30),
]
Colour = Annotated[str | None, Field(max_length=20), AfterValidator(_check_colour)]
Index = Annotated[int, Field(ge=0, le=1_000_000)]


def _check_reason(value: str) -> str:
    if not value.strip():
        raise ValueError(_("Say why, in a few words: the person who suggested it will read it."))
    return value.strip()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BoardIn(Strict):
    # The pattern is documented (OpenAPI) but checked by `_check_slug`, for its translated message.
    slug: Annotated[
        str,
        Field(max_length=60, json_schema_extra={"pattern": SLUG.pattern}),
        AfterValidator(_check_slug),
    ]
    title: Title
    description: Description = ""
    visibility: Visibility = Visibility.members
    timezone: str | None = Field(default=None, max_length=64)


class ColumnIn(Strict):
    title: Title
    description: Description = ""
    colour: Colour = None
    index: Index | None = None


#: The labels' colours, in the order new labels take them (a card naming a new label, an
#: import): light backgrounds under dark text (`static/app.css`, `.label-NAME`), each above
#: 4.5:1 of contrast, so that a label is readable whatever its colour.
LABEL_COLOURS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink")
#: What a facilitator chooses from: those, and a neutral grey.
LABEL_PALETTE = (*LABEL_COLOURS, "grey")


def _check_label_colour(value: str) -> str:
    if value not in LABEL_PALETTE:
        raise ValueError(_("Choose one of the palette's colours."))
    return value


class LabelIn(Strict):
    name: Annotated[str, Field(max_length=80), AfterValidator(_check_title)]
    colour: Annotated[str, AfterValidator(_check_label_colour)] = "grey"


class ColumnPatch(Strict):
    title: Title | None = None
    description: Description | None = None
    colour: Colour = None


class MoveColumn(Strict):
    index: Index


class CardIn(Strict):
    column_id: DbInt
    title: Title
    url: WebLink = None
    description: Description = ""
    kind: Kind = Kind.other
    languages: Languages = []
    audiences: Words = []
    labels: Words = []
    source: Annotated[str, Field(max_length=TITLE_MAX)] = ""
    licence: Annotated[str, Field(max_length=120)] = ""
    index: Index | None = None


class CardPatch(Strict):
    version: DbInt
    title: Title | None = None
    url: WebLink = None
    description: Description | None = None
    kind: Kind | None = None
    languages: Languages | None = None
    audiences: Words | None = None
    labels: Words | None = None
    source: Annotated[str, Field(max_length=TITLE_MAX)] | None = None
    licence: Annotated[str, Field(max_length=120)] | None = None


class MoveCard(Strict):
    column_id: DbInt
    index: Index


#: A reason or a "why" is a few sentences, not an essay.
Note = Annotated[str, Field(max_length=2000)]


class SuggestionIn(Strict):
    title: Title
    url: WebLink = None
    why: Note = ""


class AcceptSuggestion(Strict):
    """The card a suggestion becomes: its column, and what the facilitator changed first."""

    column_id: DbInt
    title: Title | None = None
    url: WebLink = None
    description: Description | None = None
    kind: Kind | None = None


class DeclineSuggestion(Strict):
    reason: Annotated[Note, AfterValidator(_check_reason)]
