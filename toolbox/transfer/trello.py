"""A Trello board export, mapped onto a board: what goes where, and what has no place here.

lists → columns (closed → archived), cards → cards (closed → archived), in Trello's `pos` order
with ties broken by the order in the file; labels → labels (unnamed ones named after their
colour); a card's Markdown description is kept and followed by its custom fields, due date and
place as labelled lines, its checklists as Markdown task lists, and its other links; the first
link attached becomes the card's link; comments become history notes. Everything else is counted
in `ImportPlan.unmapped`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from toolbox.board.models import DESCRIPTION_MAX, TITLE_MAX, URL_MAX
from toolbox.db import utcnow
from toolbox.i18n import gettext as _
from toolbox.i18n import ngettext
from toolbox.transfer.plan import ImportPlan, PlannedCard, PlannedColumn, PlannedLabel, PlannedNote
from toolbox.transfer.trello_format import (
    TRELLO_ACTION_LIMIT,
    TrelloCard,
    TrelloChecklist,
    TrelloCustomField,
    TrelloExport,
    TrelloLabel,
)
from toolbox.validation import check_web_link

SOURCE = "trello"
# Trello's label colours; its shades (`green_dark`, `sky_light`) map to the plain colour.
COLOURS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
LABEL_NAME_MAX = 80

P = TypeVar("P")


def colour_name(colour: str | None) -> str:
    """What to call an unnamed Trello label: its colour, in the reader's language."""
    base, _sep, shade = (colour or "").partition("_")
    names = {
        "green": _("Green"),
        "yellow": _("Yellow"),
        "orange": _("Orange"),
        "red": _("Red"),
        "purple": _("Purple"),
        "blue": _("Blue"),
        "sky": _("Sky"),
        "lime": _("Lime"),
        "pink": _("Pink"),
        "black": _("Black"),
    }
    name = names.get(base)
    if name is None:
        return _("Label")
    if shade == "dark":
        return _("%(colour)s (dark)", colour=name)
    if shade == "light":
        return _("%(colour)s (light)", colour=name)
    return name


def in_file_order(items: Iterable[P], pos: Any) -> list[P]:
    """Items by Trello's `pos`; equal (or missing) positions keep the order of the file."""
    indexed = list(enumerate(items))
    indexed.sort(key=lambda pair: (pos(pair[1]) is None, pos(pair[1]) or 0.0, pair[0]))
    return [item for _index, item in indexed]


def plan_from_trello(export: TrelloExport) -> ImportPlan:
    plan = ImportPlan(
        source=SOURCE,
        title=export.name.strip(),
        description=export.desc,
        external_id=export.id,
        public=(export.prefs or {}).get("permissionLevel") == "public",
    )
    unmapped: Counter[str] = Counter()
    label_names = _labels(export, plan, unmapped)
    checklists: dict[str, list[TrelloChecklist]] = defaultdict(list)
    for checklist in in_file_order(export.checklists, lambda c: c.pos):
        checklists[checklist.idCard].append(checklist)
    fields = in_file_order(export.customFields, lambda f: f.pos)
    cards_by_list: dict[str, list[TrelloCard]] = defaultdict(list)
    for card in in_file_order(export.cards, lambda c: c.pos):
        cards_by_list[card.idList].append(card)
    list_ids = {trello_list.id for trello_list in export.lists}
    unmapped["orphan_cards"] = sum(
        len(cards) for list_id, cards in cards_by_list.items() if list_id not in list_ids
    )
    for trello_list in in_file_order(export.lists, lambda t: t.pos):
        column = PlannedColumn(
            title=_title(trello_list.name, unmapped),
            archived=trello_list.closed,
            external_id=trello_list.id,
        )
        for card in cards_by_list[trello_list.id]:
            column.cards.append(_card(card, plan, label_names, checklists, fields, unmapped))
        plan.columns.append(column)
    _notes(export, plan, unmapped)
    members_assigned = sum(1 for card in export.cards if card.idMembers)
    unmapped.update(
        members=len(export.members),
        members_assigned=members_assigned,
        votes=sum(1 for card in export.cards if card.idMembersVoted),
        power_ups=int(bool(export.pluginData) or any(card.pluginData for card in export.cards)),
    )
    plan.unmapped = _unmapped_sentences(unmapped, cut=len(export.actions) >= TRELLO_ACTION_LIMIT)
    return plan


def _labels(export: TrelloExport, plan: ImportPlan, unmapped: Counter[str]) -> dict[str, str]:
    """Plan the board's labels; returns the name each Trello label key ends up with."""
    labels: list[TrelloLabel] = list(export.labels or [])
    if export.labels is None:  # an old export: named colours only, in `labelNames`
        labels = [
            TrelloLabel(id=None, name=name or "", color=colour)
            for colour, name in (export.labelNames or {}).items()
            if name
        ]
    known = {_label_key(label) for label in labels}
    for card in export.cards:
        for label in card.labels:
            if _label_key(label) not in known:
                labels.append(label)
                known.add(_label_key(label))
    names: dict[str, str] = {}
    taken: dict[str, PlannedLabel] = {}
    for label in labels:
        name = label.name.strip()[:LABEL_NAME_MAX]
        if name and name.casefold() in taken:
            # Names are unique on a board: two Trello labels with one name become one label.
            names[_label_key(label)] = taken[name.casefold()].name
            unmapped["merged_labels"] += 1
            continue
        if not name:
            base = colour_name(label.color)
            name = next(
                candidate
                for n in range(1, len(taken) + 2)
                if (candidate := base if n == 1 else f"{base} {n}").casefold() not in taken
            )
        base_colour = (label.color or "").partition("_")[0]
        planned = PlannedLabel(
            name=name,
            colour=base_colour if base_colour in COLOURS else "grey",
            external_id=_label_key(label),
        )
        plan.labels.append(planned)
        taken[name.casefold()] = planned
        names[_label_key(label)] = name
    return names


def _label_key(label: TrelloLabel) -> str:
    return label.id or f"colour:{label.color}"


def _title(name: str, unmapped: Counter[str]) -> str:
    title = " ".join(name.split())
    if len(title) > TITLE_MAX:
        unmapped["long_titles"] += 1
        return title[: TITLE_MAX - 1].rstrip() + "…"
    return title or _("Untitled")


def _card(
    card: TrelloCard,
    plan: ImportPlan,
    label_names: dict[str, str],
    checklists: dict[str, list[TrelloChecklist]],
    fields: list[TrelloCustomField],
    unmapped: Counter[str],
) -> PlannedCard:
    title = _title(card.name, unmapped)
    parts: list[str] = []
    if len(" ".join(card.name.split())) > TITLE_MAX:  # the whole title, before the rest
        parts.append(card.name.strip())
    if card.desc.strip():
        parts.append(card.desc.strip("\n"))
    facts = _facts(card, fields, unmapped)
    if facts:
        parts.append("\n".join(f"- **{label}:** {value}" for label, value in facts))
    for checklist in checklists.get(card.id, []):
        items = in_file_order(checklist.checkItems, lambda i: i.pos)
        plan.checklist_items += len(items)
        lines = [f"- [{'x' if item.state == 'complete' else ' '}] {item.name}" for item in items]
        parts.append("\n".join([f"### {checklist.name.strip() or _('Checklist')}", *lines]))
    url, links, files = _attachments(card, plan, unmapped)
    if links:
        parts.append("\n".join([f"### {_('Links')}", *links]))
    if files:
        parts.append("\n".join([f"### {_('Files left on Trello')}", *files]))
    description = "\n\n".join(parts)
    if len(description) > DESCRIPTION_MAX:
        unmapped["long_descriptions"] += 1
    keys = [*card.idLabels, *(_label_key(label) for label in card.labels)]
    labels = list(dict.fromkeys(label_names[key] for key in keys if key in label_names))
    return PlannedCard(
        title=title,
        description=description,
        url=url,
        labels=labels,
        archived=card.closed,
        external_id=card.id,
    )


def _facts(
    card: TrelloCard, fields: list[TrelloCustomField], unmapped: Counter[str]
) -> list[tuple[str, str]]:
    """Custom fields, due date and place, as (label, value) in the board's field order."""
    items = {item.idCustomField: item for item in card.customFieldItems}
    facts: list[tuple[str, str]] = []
    for field in fields:
        item = items.pop(field.id, None)
        if item is None:
            continue
        value: str | None = None
        if item.idValue:
            option = next((o for o in field.options if o.id == item.idValue), None)
            value = str(option.value.get("text", "")) if option else None
        elif item.value:
            value = _field_value(item.value)
        if value is None:
            unmapped["field_values"] += 1
        else:
            facts.append((field.name.strip() or _("Field"), value))
    unmapped["field_values"] += len(items)  # values of fields the export does not describe
    if card.due:
        facts.append((_("Due date"), _date(card.due)))
    if card.locationName:
        facts.append((_("Place"), card.locationName))
    return facts


def _field_value(value: dict[str, Any]) -> str | None:
    if "checked" in value:
        return _("yes") if str(value["checked"]).lower() == "true" else _("no")
    if "date" in value:
        return _date(str(value["date"]))
    for key in ("text", "number"):
        if key in value:
            return str(value[key])
    return None


def _date(text: str) -> str:
    moment = _moment(text)
    if moment is None:
        return text
    if moment.hour == moment.minute == 0:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _moment(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _attachments(
    card: TrelloCard, plan: ImportPlan, unmapped: Counter[str]
) -> tuple[str | None, list[str], list[str]]:
    """The card's link (the first web link attached), its other links, its uploaded files."""
    url: str | None = None
    links: list[str] = []
    files: list[str] = []
    for attachment in card.attachments:
        if not attachment.url:
            continue
        line = _markdown_link(attachment.name, attachment.url)
        if attachment.isUpload:
            files.append(line)
            unmapped["uploads"] += 1
            continue
        plan.links += 1
        if url is None and len(attachment.url) <= URL_MAX and _is_web_link(attachment.url):
            url = attachment.url.strip()
        else:
            links.append(line)
    return url, links, files


def _is_web_link(url: str) -> bool:
    try:
        return check_web_link(url) is not None
    except ValueError:
        return False


def _markdown_link(name: str, url: str) -> str:
    text = name.strip().replace("[", "\\[").replace("]", "\\]")
    target = url.strip().replace("<", "%3C").replace(">", "%3E")
    return f"- [{text}](<{target}>)" if text and text != url.strip() else f"- <{target}>"


def _notes(export: TrelloExport, plan: ImportPlan, unmapped: Counter[str]) -> None:
    card_ids = {card.external_id for card in plan.cards}
    notes: list[PlannedNote] = []
    for action in export.actions:
        if action.type != "commentCard":
            unmapped["other_actions"] += 1
            continue
        card_id = (action.data.get("card") or {}).get("id")
        text = action.data.get("text")
        if card_id not in card_ids or not isinstance(text, str):
            unmapped["orphan_comments"] += 1
            continue
        creator = action.memberCreator or {}
        notes.append(
            PlannedNote(
                external_id=action.id,
                card_external_id=str(card_id),
                author=str(creator.get("fullName") or creator.get("username") or ""),
                body=text,
                at=_moment(action.date) or utcnow(),
            )
        )
    # Trello lists actions newest first; history reads oldest first.
    plan.notes = sorted(notes, key=lambda note: note.at)


def _unmapped_sentences(counts: Counter[str], *, cut: bool) -> list[str]:
    sentences: dict[str, Callable[[int], str]] = {
        "orphan_cards": lambda n: ngettext(
            "%(num)s card belongs to a list that is not in the export; it was left out.",
            "%(num)s cards belong to lists that are not in the export; they were left out.",
            n,
        ),
        "merged_labels": lambda n: ngettext(
            "%(num)s label has the same name as another and was merged with it.",
            "%(num)s labels have the same name as others and were merged with them.",
            n,
        ),
        "long_titles": lambda n: ngettext(
            "%(num)s title was longer than 200 characters and was shortened.",
            "%(num)s titles were longer than 200 characters and were shortened.",
            n,
        ),
        "long_descriptions": lambda n: ngettext(
            "%(num)s description is longer than 20,000 characters: it was kept whole, but must "
            "be shortened before it can be edited here.",
            "%(num)s descriptions are longer than 20,000 characters: they were kept whole, but "
            "must be shortened before they can be edited here.",
            n,
        ),
        "field_values": lambda n: ngettext(
            "%(num)s custom field value could not be read and was left out.",
            "%(num)s custom field values could not be read and were left out.",
            n,
        ),
        "uploads": lambda n: ngettext(
            "%(num)s attached file stays on Trello: its card links to it, but it was not copied.",
            "%(num)s attached files stay on Trello: their cards link to them, but they were not "
            "copied.",
            n,
        ),
        "orphan_comments": lambda n: ngettext(
            "%(num)s comment is about a card that is not in the export; it was left out.",
            "%(num)s comments are about cards that are not in the export; they were left out.",
            n,
        ),
        "other_actions": lambda n: ngettext(
            "%(num)s entry of Trello's activity log (moves, edits…) was not imported: "
            "only comments are kept.",
            "%(num)s entries of Trello's activity log (moves, edits…) were not imported: "
            "only comments are kept.",
            n,
        ),
        "members": lambda n: ngettext(
            "%(num)s Trello member was not brought over (exports have no e-mail addresses): "
            "invite people from the manage page.",
            "%(num)s Trello members were not brought over (exports have no e-mail addresses): "
            "invite people from the manage page.",
            n,
        ),
        "members_assigned": lambda n: ngettext(
            "%(num)s card had members assigned; assignments are not kept.",
            "%(num)s cards had members assigned; assignments are not kept.",
            n,
        ),
        "votes": lambda n: ngettext(
            "%(num)s card had votes; votes are not kept.",
            "%(num)s cards had votes; votes are not kept.",
            n,
        ),
        "power_ups": lambda n: _("Power-Up data was not imported."),
    }
    lines = [sentence(counts[key]) for key, sentence in sentences.items() if counts[key]]
    if cut:
        lines.append(
            _(
                "The export holds 1,000 actions, the most Trello puts in one: older comments "
                "may be missing."
            )
        )
    return lines
