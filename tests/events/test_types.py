"""The event declarations: one per type, their payload exactly the stored JSON of before, their
audience rule, and what they refresh on screen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import access_of, events_of, new_board, new_card, new_column
from toolbox.board.cards import archive_card, move_card
from toolbox.board.history import recent_history
from toolbox.board.ordering import order_check
from toolbox.board.schemas import ColumnPatch
from toolbox.board.services import archive_column, restore_column, update_column
from toolbox.events.audience import event_for_audience
from toolbox.events.types import (
    EVENT_TYPES,
    BoardImported,
    BoardUpdated,
    CardArchived,
    CardCreated,
    CardMoved,
    CardRestored,
    CardUpdated,
    CardUseful,
    ColumnArchived,
    ColumnCreated,
    ColumnMoved,
    ColumnRestored,
    ColumnUpdated,
    Event,
    LabelCreated,
    LabelDeleted,
    LabelUpdated,
    MemberUpdated,
    Reach,
    Refresh,
    SlotBooked,
    SlotEvent,
    SuggestionAccepted,
    SuggestionCreated,
    SuggestionDeclined,
    parse,
    slot_event,
)

CARD = {"id": 7, "column_id": 3, "title": "Guide", "kind": "guide"}
COLUMN = {"id": 3, "title": "À lire", "cards": []}
LABEL = {"id": 2, "name": "Gratuit", "colour": "green"}
SLOT = {"id": 9, "starts_at": "2026-03-02T14:00:00+00:00", "seats_taken": 1, "expert": None}

# One instance of every declared type, with the JSON `data` it must be stored as, key for key
# and in this order (API clients and the websocket's JSON read it).
SAMPLES: list[tuple[Event, list[tuple[str, Any]]]] = [
    (BoardUpdated(board={"slug": "b", "title": "B"}), [("board", {"slug": "b", "title": "B"})]),
    (
        BoardImported(source="trello", columns=2, cards=5, labels=1),
        [("source", "trello"), ("columns", 2), ("cards", 5), ("labels", 1)],
    ),
    (
        ColumnCreated(column=COLUMN, index=0, by="Alice"),
        [("column", COLUMN), ("index", 0), ("by", "Alice")],
    ),
    (ColumnUpdated(column=COLUMN, by="Alice"), [("column", COLUMN), ("by", "Alice")]),
    (
        ColumnRestored(column=COLUMN, index=1, by="Alice"),
        [("column", COLUMN), ("index", 1), ("by", "Alice")],
    ),
    (
        ColumnMoved(column_id=3, title="À lire", index=2, by="Alice"),
        [("column_id", 3), ("title", "À lire"), ("index", 2), ("by", "Alice")],
    ),
    (
        ColumnArchived(column_id=3, title="À lire", by="Alice"),
        [("column_id", 3), ("title", "À lire"), ("by", "Alice")],
    ),
    (CardCreated(card=CARD, index=0, by="Alice"), [("card", CARD), ("index", 0), ("by", "Alice")]),
    (CardUpdated(card=CARD, by="Alice"), [("card", CARD), ("by", "Alice")]),
    (CardRestored(card=CARD, index=4, by="Alice"), [("card", CARD), ("index", 4), ("by", "Alice")]),
    (
        CardMoved(
            card_id=7,
            title="Guide",
            from_column_id=3,
            column_id=4,
            column_title="Lu",
            index=0,
            by="Al",
            order="6abf4a82",
            from_order="00000000",
        ),
        [
            ("card_id", 7),
            ("title", "Guide"),
            ("from_column_id", 3),
            ("column_id", 4),
            ("column_title", "Lu"),
            ("index", 0),
            ("by", "Al"),
            ("order", "6abf4a82"),
            ("from_order", "00000000"),
        ],
    ),
    (
        CardArchived(card_id=7, column_id=3, title="Guide", by="Alice"),
        [("card_id", 7), ("column_id", 3), ("title", "Guide"), ("by", "Alice")],
    ),
    *[
        (kind(label=LABEL, by="Alice"), [("label", LABEL), ("by", "Alice")])
        for kind in (LabelCreated, LabelUpdated, LabelDeleted)
    ],
    (
        CardUseful(card_id=7, column_id=3, title="Guide", useful=3),
        [("card_id", 7), ("column_id", 3), ("title", "Guide"), ("useful", 3)],
    ),
    (
        SuggestionCreated(suggestion_id=4, title="Guide", pending=2, by="Bea"),
        [("suggestion_id", 4), ("title", "Guide"), ("pending", 2), ("by", "Bea")],
    ),
    (
        SuggestionAccepted(suggestion_id=4, title="Guide", pending=1, by="Al", card_id=9),
        [("suggestion_id", 4), ("title", "Guide"), ("pending", 1), ("by", "Al"), ("card_id", 9)],
    ),
    (
        SuggestionDeclined(suggestion_id=4, title="Guide", pending=0, by="Al"),
        [("suggestion_id", 4), ("title", "Guide"), ("pending", 0), ("by", "Al")],
    ),
    (
        MemberUpdated(user_id=5, name="Bea", role="expert"),
        [("user_id", 5), ("name", "Bea"), ("role", "expert")],
    ),
    *[
        (slot_event(name, SLOT, "Alice"), [("slot", SLOT), ("by", "Alice")])  # type: ignore[arg-type]
        for name in (
            "slot.created",
            "slot.claimed",
            "slot.released",
            "slot.booked",
            "slot.cancelled",
            "slot.updated",
        )
    ],
]


def test_every_declared_type_has_a_sample() -> None:
    assert sorted(event.type for event, _data in SAMPLES) == sorted(EVENT_TYPES)


@pytest.mark.parametrize(("event", "data"), SAMPLES, ids=lambda v: getattr(v, "type", ""))
def test_the_payload_is_the_stored_json_and_reads_back(
    event: Event, data: list[tuple[str, Any]]
) -> None:
    assert list(event.to_data().items()) == data
    stored = json.loads(json.dumps(event.to_data()))  # as the JSON column gives it back
    assert parse(event.type, stored) == event


def test_a_row_from_before_the_author_was_recorded_still_reads() -> None:
    old = parse("column.created", {"column": COLUMN, "index": 0})
    assert old == ColumnCreated(column=COLUMN, index=0, by=None)


def test_a_move_from_before_the_order_checks_still_reads() -> None:
    data = {"card_id": 7, "title": "G", "from_column_id": 3, "column_id": 4}
    old = parse("card.moved", {**data, "column_title": "Lu", "index": 0, "by": "Al"})
    assert old == CardMoved(7, "G", 3, 4, "Lu", 0, "Al", order="", from_order="")


def test_an_undeclared_type_or_an_ill_fitting_payload_reads_as_nothing() -> None:
    assert parse("suggestion.created", {"card": CARD}) is None
    assert parse("card.moved", {"card_id": 7}) is None
    assert parse("card.updated", {"card": CARD, "by": "Al", "later": 1}) == CardUpdated(CARD, "Al")


DOCUMENT = {"board_id": 1, "seq": 4, "at": "2026-03-02T14:00:00+00:00", "actor_id": 2}


@pytest.mark.parametrize("role", ["visitor", "reader", "participant", "expert"])
def test_member_events_reach_facilitators_only(role: str) -> None:
    member = {**DOCUMENT, "type": "member.updated", "data": {"user_id": 5}}
    assert MemberUpdated.reach is Reach.FACILITATORS
    assert event_for_audience(member, role) is None
    assert event_for_audience(member, "facilitator") == {
        "seq": 4,
        "type": "member.updated",
        "at": DOCUMENT["at"],
        "data": {"user_id": 5},
    }


@pytest.mark.parametrize("role", ["visitor", "participant", "expert", "facilitator"])
def test_a_booking_reaches_everyone_but_says_only_that_a_seat_was_taken(role: str) -> None:
    booked = SlotBooked(slot=SLOT, by="Alice")
    visible = event_for_audience({**DOCUMENT, "type": booked.type, "data": booked.to_data()}, role)
    assert visible is not None and set(visible) == {"seq", "type", "at", "data"}
    assert set(visible["data"]["slot"]) == set(SLOT)  # the slot's public document, no booking
    assert booked.personal  # those it involves get their own rendering, with their details


@pytest.mark.parametrize("role", ["visitor", "reader", "participant", "expert"])
def test_an_undeclared_type_reaches_nobody_but_the_facilitators(role: str) -> None:
    """No declaration says what its payload may hold: history for the facilitators alone."""
    old = {**DOCUMENT, "type": "booking.created", "data": {"need": "CANARI", "by": "Alice"}}
    assert event_for_audience(old, role) is None
    assert event_for_audience(old, "facilitator") == {
        key: old[key] for key in ("seq", "type", "at", "data")
    }


def test_what_each_event_refreshes() -> None:
    whole = {name for name, kind in EVENT_TYPES.items() if kind.refreshes is Refresh.WHOLE_BOARD}
    assert whole == {
        "board.updated",
        "board.imported",
        "column.created",
        "column.moved",
        "column.archived",
        "column.restored",
        "label.updated",
        "label.deleted",
    }
    assert LabelCreated.refreshes is Refresh.NOTHING  # no card carries a new label yet
    assert CardMoved(7, "G", 3, 4, "Lu", 0, "Al").column_ids == {3, 4}
    assert CardCreated(card=CARD, index=0, by="Al").column_ids == {3}
    assert ColumnUpdated(column=COLUMN, by="Al").column_ids == {3}
    assert CardUpdated.refreshes is Refresh.CARD
    assert CardUseful.refreshes is Refresh.CARD
    assert CardUseful(card_id=7, column_id=3, title="G", useful=2).shown_card_id == 7
    assert CardUseful(card_id=7, column_id=3, title="G", useful=2).column_ids == {3}
    assert CardUpdated(card=CARD, by="Al").shown_card_id == 7
    assert MemberUpdated.refreshes is Refresh.NOTHING
    assert {EVENT_TYPES[n].refreshes for n in EVENT_TYPES if n.startswith("suggestion.")} == {
        Refresh.SUGGESTIONS
    }
    assert not SuggestionCreated.visible_to("participant") and SuggestionCreated.visible_to(
        "facilitator"
    )
    slots = {name for name, kind in EVENT_TYPES.items() if issubclass(kind, SlotEvent)}
    assert {EVENT_TYPES[name].refreshes for name in slots - {"slot.created"}} == {Refresh.SLOT}
    assert EVENT_TYPES["slot.created"].refreshes is Refresh.SCHEDULE


async def test_services_record_the_declared_payloads(session: AsyncSession) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    left = await new_column(session, board, facilitator, title="Gauche")
    right = await new_column(session, board, facilitator, title="Droite")
    card = await new_card(session, board, left, facilitator, title="Guide")
    access = await access_of(session, board, facilitator)
    await move_card(session, access, card.id, right.id, 0)
    await archive_card(session, access, card.id)
    await update_column(session, access, left.id, ColumnPatch(title="À gauche"))
    await archive_column(session, access, left.id)
    await restore_column(session, access, left.id)
    rows = await events_of(session, board)
    name = facilitator.display_name
    for row in rows:
        event = parse(row.type, row.data)
        assert event is not None, row.type
        assert event.to_data() == row.data  # the round trip loses and adds nothing
    by_type = {row.type: row.data for row in rows}
    assert list(by_type["card.moved"]) == [
        "card_id",
        "title",
        "from_column_id",
        "column_id",
        "column_title",
        "index",
        "by",
        "order",
        "from_order",
    ]
    assert by_type["card.moved"]["from_column_id"] == left.id
    # The card alone in its new column; its old one left empty.
    assert by_type["card.moved"]["order"] == order_check([card.id])
    assert by_type["card.moved"]["from_order"] == order_check([]) == "00000000"
    assert by_type["card.archived"] == {
        "card_id": card.id,
        "column_id": right.id,
        "title": "Guide",
        "by": name,
    }
    for kind in ("column.created", "column.updated", "column.restored"):
        assert by_type[kind]["by"] == name, kind


async def test_the_history_names_what_each_change_was_about(session: AsyncSession) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    column = await new_column(session, board, facilitator, title="Gauche")
    await new_card(session, board, column, facilitator, title="Guide")
    await session.refresh(board)
    history = await recent_history(session, board)
    assert [(entry.type, entry.subject) for entry in history[:2]] == [
        ("card.created", "Guide"),
        ("column.created", "Gauche"),
    ]
