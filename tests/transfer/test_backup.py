"""`toolbox export SLUG --format json` and `toolbox import json`: a complete backup that restores
as a new board, and exports again as the same document but for ids and `exported_at`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.factories import (
    fresh,
    make_board,
    make_card,
    make_column,
    make_member,
    make_slot,
    make_user,
)
from tests.transfer.builders import toolbox, trello_fixture
from toolbox.board.access import BoardAccess, access_to
from toolbox.board.cards import archive_card
from toolbox.board.models import Board, Kind, Role
from toolbox.board.schemas import ColumnIn
from toolbox.board.services import archive_column, create_column
from toolbox.brigade.bookings import book_seat
from toolbox.brigade.claims import save_profile
from toolbox.brigade.schedule import cancel_slot
from toolbox.brigade.schemas import BookingIn, ExpertProfileIn
from toolbox.db import Database
from toolbox.transfer.importer import import_plan
from toolbox.transfer.trello import plan_from_trello
from toolbox.transfer.trello_format import parse_trello


async def rich_board(db: Database) -> str:
    """A board with a bit of everything a backup must carry."""
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await make_member(db, board, Role.participant, locale="en")
    first = await make_column(db, board, facilitator, "Stratégie")
    gone = await make_column(db, board, facilitator, "Ancienne colonne")
    card = await make_card(
        db,
        board,
        first,
        facilitator,
        title="Guide",
        url="https://example.org/guide",
        description="*Markdown* gardé",
        kind=Kind.guide,
        languages=["fr"],
        audiences=["musées"],
        labels=["Débutant", "Données"],
        source="Conseil des arts",
        licence="CC BY 4.0",
    )
    archived = await make_card(db, board, first, facilitator, title="Archivée")
    await make_card(db, board, gone, facilitator, title="Dans la colonne archivée")
    # Comments, external ids and an origin come from a Trello import into the board.
    export = trello_fixture("wekan-project100.json")
    comment = copy.deepcopy(export["actions"][0])
    comment.update(
        id="comment1",
        type="commentCard",
        date="2021-01-05T12:00:00.000Z",
        data={"text": "À relire", "card": {"id": export["cards"][0]["id"]}},
    )
    export["actions"].append(comment)
    async with db.write() as session:
        access = await access_to(session, await fresh(session, board), facilitator)
        await archive_card(session, access, archived.id)
        await archive_column(session, access, gone.id)
        await import_plan(
            session, plan_from_trello(parse_trello(export)), into=access.board, timezone="UTC"
        )
    async with db.write() as session:
        access = await access_to(session, await fresh(session, board), facilitator)
        await archive_card(session, access, card.id)
    # The brigade: an expert with a profile, a session they hold with a booking and a waitlist,
    # and a cancelled session.
    expert = await make_member(db, board, Role.expert)
    booker, waiting = [await make_member(db, board, Role.participant) for _ in range(2)]
    held = await make_slot(db, board, facilitator, expert=expert, capacity=1)
    dropped = await make_slot(db, board, facilitator, place="Table 2")
    async with db.write() as session:
        board_now = await fresh(session, board)
        await save_profile(
            session,
            await access_to(session, board_now, expert),
            ExpertProfileIn(specialities=["Données"], languages=["fr"], bio="Métadonnées"),
        )
        for person, organisation, waitlist in (
            (booker, "Musée A", False),
            (waiting, "Centre B", True),
        ):
            await book_seat(
                session,
                await access_to(session, board_now, person),
                held.id,
                BookingIn(
                    need=f"Besoin de {organisation}", organisation=organisation, waitlist=waitlist
                ),
                None,
            )
        await cancel_slot(
            session, await access_to(session, board_now, facilitator), dropped.id, None
        )
    return board.slug


BOOKING = {
    "participant": "nobody@example.org",
    "organisation": "Musée",
    "organisation_key": "musee",
    "need": "Un besoin",
    "status": "active",
    "created_at": "2026-12-01T14:00:00Z",
}


def normalised(document: dict[str, Any], *, same_place: bool) -> dict[str, Any]:
    """The document with ids replaced by their rank, and what a restore must change left out."""
    document = copy.deepcopy(document)
    document.pop("exported_at")
    if not same_place:  # restored beside the original: another slug, and the origin stays there
        document["board"].pop("slug")
        document["board"].pop("origin")
    ranks = {
        kind: {row["id"]: rank for rank, row in enumerate(document[section])}
        for kind, section in (("column", "columns"), ("card", "cards"), ("label", "labels"))
    }
    for kind, section in (("column", "columns"), ("card", "cards"), ("label", "labels")):
        for row in document[section]:
            row["id"] = ranks[kind][row["id"]]
    for card in document["cards"]:
        card["column_id"] = ranks["column"][card["column_id"]]
    slot_ranks = {row["id"]: rank for rank, row in enumerate(document["slots"])}
    for row in document["slots"]:
        row["id"] = slot_ranks[row["id"]]
    for row in document["bookings"]:
        row["slot_id"] = slot_ranks[row["slot_id"]]
    for note in document["notes"]:
        note["card_id"] = ranks["card"][note["card_id"]]
    for row in document["external_ids"]:
        row["local_id"] = ranks[row["kind"]][row["local_id"]]
    return document


async def test_backup_restores_beside_the_original_and_into_an_empty_database(
    tmp_path: Path, empty_url: str, empty_db: Database, other_empty_url: str
) -> None:
    slug = await rich_board(empty_db)
    first = tmp_path / "first.json"
    result = toolbox("export", slug, "--format", "json", "-o", str(first), database_url=empty_url)
    assert result.returncode == 0, result.stderr
    document = json.loads(first.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("toolbox-backup", 1)
    assert list(document)[4:] == [
        "people",
        "labels",
        "columns",
        "cards",
        "notes",
        "memberships",
        "events",
        "external_ids",
        "profiles",
        "slots",
        "bookings",
    ]
    assert [p["specialities"] for p in document["profiles"]] == [["Données"]]
    assert (
        len(document["slots"]) == 2 and sum(1 for s in document["slots"] if s["cancelled_at"]) == 1
    )
    assert sorted(b["status"] for b in document["bookings"]) == ["active", "waiting"]
    assert {b["need"] for b in document["bookings"]} == {"Besoin de Musée A", "Besoin de Centre B"}
    assert "password" not in first.read_text(encoding="utf-8")
    assert {m["role"] for m in document["memberships"]} == {"facilitator", "participant", "expert"}
    assert len(document["columns"]) == 5 and len(document["cards"]) == 6
    assert sum(1 for c in document["cards"] if c["archived_at"]) == 2
    assert [n["body"] for n in document["notes"]] == ["À relire"]
    assert document["board"]["origin"]["external_id"] == "5fcbec03c670ab79e1f625b2"
    assert [e["seq"] for e in document["events"]] == list(range(1, document["board"]["seq"] + 1))

    restored = toolbox("import", "json", str(first), "--board", "copie", database_url=empty_url)
    assert restored.returncode == 0, restored.stderr
    again = toolbox("export", "copie", database_url=empty_url)
    assert again.returncode == 0, again.stderr
    copied = json.loads(again.stdout)
    assert copied["board"]["slug"] == "copie"
    assert {c["id"] for c in copied["cards"]}.isdisjoint(c["id"] for c in document["cards"])
    assert normalised(copied, same_place=False) == normalised(document, same_place=False)

    elsewhere = toolbox("import", "json", str(first), database_url=other_empty_url)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert f"Board {slug} restored" in elsewhere.stdout
    there = toolbox("export", slug, database_url=other_empty_url)
    assert normalised(json.loads(there.stdout), same_place=True) == normalised(
        document, same_place=True
    )

    twice = toolbox("import", "json", str(first), database_url=other_empty_url)
    assert twice.returncode != 0 and "choose another" in twice.stderr

    # The restored board carries on: its next change takes the next number.
    other = Database(other_empty_url)
    try:
        async with other.write() as session:
            board = await session.scalar(select(Board).where(Board.slug == slug))
            assert board is not None
            access = BoardAccess(board=board, user=None, role=Role.facilitator)
            await create_column(session, access, ColumnIn(title="Nouvelle"))
        async with other.read() as session:
            seq = await session.scalar(select(Board.seq).where(Board.slug == slug))
        assert seq == document["board"]["seq"] + 1
    finally:
        await other.dispose()


async def test_a_backup_that_cannot_be_restored_whole_is_refused_and_nothing_written(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    facilitator = await make_user(empty_db)
    board = await make_board(empty_db, facilitator=facilitator)
    column = await make_column(empty_db, board, facilitator)
    await make_card(empty_db, board, column, facilitator, labels=["x"])
    exported = toolbox("export", board.slug, database_url=empty_url)
    document = json.loads(exported.stdout)

    def broken(change: Any) -> dict[str, Any]:
        copy_ = copy.deepcopy(document)
        change(copy_)
        return copy_

    cases = [
        (broken(lambda d: d.update(version=2)), "made by a newer Toolbox"),
        (broken(lambda d: d.update(format="other")), "This is not a Toolbox backup"),
        (broken(lambda d: d.update(slots=[{"starts_at": "2026-12-01T14:00:00Z"}])), "slots[0].id"),
        (
            broken(lambda d: d.update(bookings=[{**BOOKING, "slot_id": 424242}])),
            "slot 424242",
        ),
        (broken(lambda d: d["cards"][0].update(column_id=999999)), "column 999999"),
        (broken(lambda d: d["cards"][0].update(title=12)), "cards[0].title"),
        (broken(lambda d: d.update(surprise=[])), "unknown parts: surprise"),
        (trello_fixture("deck-minimal.json"), "This is not a Toolbox backup"),
    ]
    for case, message in cases:
        path = tmp_path / "backup.json"
        path.write_text(json.dumps(case), encoding="utf-8")
        result = toolbox("import", "json", str(path), "--board", "restored", database_url=empty_url)
        assert result.returncode != 0 and message in result.stderr, (message, result.stderr)
    async with empty_db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Board)) == 1
