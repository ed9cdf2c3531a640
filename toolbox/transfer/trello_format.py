"""The parts of Trello's board export (JSON) that an import reads, checked before anything else.

Only what is read is declared; every other field is ignored, so the export's many extras
(`prefs`, `limits`, `pluginData` blocks) and fields Trello adds later cannot break an import.
Ids are plain strings: Trello's are 24-hex ObjectIds, but exports rewritten by other tools
carry ids such as `hashcard7`.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from toolbox.errors import Invalid
from toolbox.i18n import gettext as _

#: Trello keeps at most this many actions in an export: more history than that was cut off.
TRELLO_ACTION_LIMIT = 1000


class Loose(BaseModel):
    """Fields keep Trello's names (`idList`, `isUpload`) so they read like the export."""

    model_config = ConfigDict(extra="ignore")


def _text_or_empty(value: Any) -> Any:
    return "" if value is None else value


def _list_or_empty(value: Any) -> Any:
    return [] if value is None else value


# Real exports write null where a name or a list is empty; read it as empty.
Text = Annotated[str, BeforeValidator(_text_or_empty)]
T = TypeVar("T")
Items = Annotated[list[T], BeforeValidator(_list_or_empty)]


class TrelloLabel(Loose):
    id: str | None = None  # absent in old exports, where a card's labels are named by colour
    name: Text = ""
    color: str | None = None


class TrelloList(Loose):
    id: str
    name: Text = ""
    closed: bool = False
    pos: float | None = None


class TrelloAttachment(Loose):
    id: str | None = None
    name: Text = ""
    url: str | None = None
    isUpload: bool | None = False


class TrelloFieldItem(Loose):
    idCustomField: str
    value: dict[str, Any] | None = None
    idValue: str | None = None


class TrelloCard(Loose):
    id: str
    name: Text = ""
    desc: Text = ""
    closed: bool = False
    idList: str
    pos: float | None = None
    idLabels: Items[str] = []
    labels: Items[TrelloLabel] = []
    attachments: Items[TrelloAttachment] = []
    customFieldItems: Items[TrelloFieldItem] = []
    due: str | None = None
    locationName: str | None = None
    idMembers: Items[str] = []
    idMembersVoted: Items[str] = []
    pluginData: Items[Any] = []


class TrelloCheckItem(Loose):
    id: str | None = None
    name: Text = ""
    state: str = "incomplete"
    pos: float | None = None


class TrelloChecklist(Loose):
    id: str
    name: Text = ""
    idCard: str
    pos: float | None = None
    checkItems: Items[TrelloCheckItem] = []


class TrelloOption(Loose):
    id: str
    value: dict[str, Any] = {}


class TrelloCustomField(Loose):
    id: str
    name: Text = ""
    type: str = "text"
    pos: float | None = None
    options: Items[TrelloOption] = []


class TrelloAction(Loose):
    id: str
    type: str = ""
    date: str | None = None
    data: dict[str, Any] = {}
    memberCreator: dict[str, Any] | None = None


class TrelloExport(Loose):
    id: str
    name: Text = ""
    desc: Text = ""
    prefs: dict[str, Any] | None = None
    labels: list[TrelloLabel] | None = None  # None in old exports: only `labelNames`
    labelNames: dict[str, str | None] | None = None
    lists: list[TrelloList]
    cards: list[TrelloCard]
    checklists: Items[TrelloChecklist] = []
    customFields: Items[TrelloCustomField] = []
    actions: Items[TrelloAction] = []
    members: Items[dict[str, Any]] = []
    pluginData: Items[Any] = []


def parse_trello(document: Any) -> TrelloExport:
    """A Trello export from its parsed JSON, or an `Invalid` saying what is wrong with it."""
    if not isinstance(document, dict) or not {"id", "lists", "cards"} <= document.keys():
        raise Invalid(
            _("This is not a Trello board export: it has no board id, lists and cards."),
            field="file",
        )
    try:
        export = TrelloExport.model_validate(document)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
        ).lstrip(".")
        raise Invalid(
            _(
                "This is not a Trello board export: “%(where)s” is missing or has the wrong type.",
                where=where,
            ),
            field="file",
        ) from None
    for items in (export.lists, export.cards):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise Invalid(
                    _("The export is damaged: two of its items have the id “%(id)s”.", id=item.id),
                    field="file",
                )
            seen.add(item.id)
    return export
