"""The board's services on their own: boards, columns, cards, members, and who may do what.

Each test runs in a transaction rolled back after it, on SQLite and PostgreSQL
(tests/transactions.py); refusals are asserted on their error (status, code, field) and on what
the database kept.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import (
    access_of,
    events_of,
    fresh,
    new_board,
    new_card,
    new_column,
    new_member,
)
from tests.names import unique
from tests.transactions import refused
from toolbox.accounts.models import User
from toolbox.board.access import board_access, board_access_by_id, get_board
from toolbox.board.cards import (
    archive_card,
    card_access,
    card_board_access,
    create_card,
    move_card,
    restore_card,
    update_card,
)
from toolbox.board.documents import card_document
from toolbox.board.labels import update_label
from toolbox.board.members import (
    accept_invitation,
    board_members,
    change_role,
    create_invitation,
    set_membership,
)
from toolbox.board.models import (
    Board,
    BoardColumn,
    Card,
    Invitation,
    Kind,
    Label,
    Membership,
    Role,
    Visibility,
)
from toolbox.board.records import card_records
from toolbox.board.schemas import BoardIn, CardIn, CardPatch, ColumnIn, ColumnPatch, LabelIn
from toolbox.board.services import (
    archive_column,
    board_columns,
    cards_by_column,
    create_board,
    create_column,
    move_column,
    restore_column,
    update_column,
    visible_boards,
)
from toolbox.board.tiles import board_tiles, card_tiles, facets, forget_kept_tiles
from toolbox.db import utcnow
from toolbox.errors import Conflict, Forbidden, Invalid, NotFound, NotSignedIn
from toolbox.security import hash_token


async def titles(session: AsyncSession, column: BoardColumn) -> list[str]:
    """The open cards of `column` in board order, as the database has them."""
    rows = await session.scalars(
        select(Card.title)
        .where(Card.column_id == column.id, Card.archived_at.is_(None))
        .order_by(Card.position, Card.id)
    )
    return list(rows)


async def column_titles(session: AsyncSession, board: Board) -> list[str]:
    rows = await session.scalars(
        select(BoardColumn.title)
        .where(BoardColumn.board_id == board.id, BoardColumn.archived_at.is_(None))
        .order_by(BoardColumn.position, BoardColumn.id)
    )
    return list(rows)


async def a_board(session: AsyncSession, *, public: bool = True) -> tuple[Board, User]:
    facilitator = await new_person(session)
    return await new_board(session, public=public, facilitator=facilitator), facilitator


async def a_column_of(session: AsyncSession, *names: str) -> tuple[Board, User, BoardColumn]:
    """A board, its facilitator, and one column holding cards titled `names`, in that order."""
    board, facilitator = await a_board(session)
    column = await new_column(session, board, facilitator, "Outils")
    for name in names:
        await new_card(session, board, column, facilitator, title=name)
    return board, facilitator, column


async def card_titled(session: AsyncSession, column: BoardColumn, title: str) -> Card:
    card = await session.scalar(
        select(Card).where(Card.column_id == column.id, Card.title == title)
    )
    assert card is not None
    return card


# Boards


async def test_an_admin_creates_a_board_with_its_facilitator_and_first_event(
    session: AsyncSession,
) -> None:
    admin, facilitator = await new_person(session, admin=True), await new_person(session)
    slug = unique("atelier")
    board = await create_board(
        session,
        admin,
        BoardIn(slug=slug, title="Atelier", timezone="Europe/Paris"),
        default_timezone="America/Toronto",
        facilitator=facilitator,
    )
    assert (await get_board(session, slug)).id == board.id
    stored = await fresh(session, board)  # `seq` grew in the database, not in this object
    assert (stored.timezone, stored.visibility, stored.seq) == (
        "Europe/Paris",
        Visibility.members,
        1,
    )
    role = await session.scalar(
        select(Membership.role).where(
            Membership.board_id == board.id, Membership.user_id == facilitator.id
        )
    )
    assert role == Role.facilitator
    (event,) = await events_of(session, board)
    assert (event.seq, event.type, event.actor_id) == (1, "board.updated", admin.id)
    assert event.data["board"]["slug"] == slug


async def test_only_an_admin_creates_a_board(session: AsyncSession) -> None:
    person = await new_person(session)
    slug = unique("board")
    data = BoardIn(slug=slug, title="Non")
    create = create_board(session, person, data, default_timezone="America/Toronto")
    error = await refused(session, create, Forbidden)
    assert error.status == 403
    assert await session.scalar(select(Board.id).where(Board.slug == slug)) is None


async def test_a_board_needs_a_known_time_zone_and_a_free_short_name(
    session: AsyncSession,
) -> None:
    board, _facilitator = await a_board(session)
    bad_zone = BoardIn(slug=unique("board"), title="Zone", timezone="Mars/Olympus")
    error = await refused(
        session, create_board(session, None, bad_zone, default_timezone="UTC"), Invalid
    )
    assert error.field == "timezone"
    taken = BoardIn(slug=board.slug, title="Doublon")
    error = await refused(
        session,
        create_board(session, None, taken, default_timezone="UTC"),
        Conflict,
        "slug_taken",
    )
    assert error.field == "slug"
    assert await session.scalar(select(func.count()).where(Board.slug == board.slug)) == 1


async def test_who_sees_which_boards(session: AsyncSession) -> None:
    public, _ = await a_board(session, public=True)
    private, _ = await a_board(session, public=False)
    member = await new_member(session, private, Role.participant)
    outsider, admin = await new_person(session), await new_person(session, admin=True)

    async def sees(user: User | None) -> set[int]:
        return {board.id for board in await visible_boards(session, user)} & {
            public.id,
            private.id,
        }

    assert await sees(None) == {public.id}
    assert await sees(outsider) == {public.id}
    assert await sees(member) == {public.id, private.id}
    assert await sees(admin) == {public.id, private.id}


# Access


async def test_a_visitor_reads_a_public_board_and_changes_nothing(session: AsyncSession) -> None:
    board, _facilitator = await a_board(session, public=True)
    access = await board_access(session, board.slug, None)
    assert access.can_view and not access.is_facilitator
    assert access.audience == "visitor" and access.actor_id is None
    error = await refused(
        session, create_column(session, access, ColumnIn(title="Non")), NotSignedIn
    )
    assert error.status == 401
    assert await column_titles(session, board) == []


async def test_a_members_only_board_is_closed_to_visitors_and_outsiders(
    session: AsyncSession,
) -> None:
    board, facilitator = await a_board(session, public=False)
    participant = await new_member(session, board, Role.participant)
    outsider = await new_person(session)
    error = await refused(session, board_access(session, board.slug, None), NotSignedIn)
    assert error.status == 401
    error = await refused(session, board_access_by_id(session, board.id, outsider), Forbidden)
    assert error.status == 403
    assert (await board_access(session, board.slug, participant)).role == Role.participant
    assert (await board_access_by_id(session, board.id, facilitator)).is_facilitator
    # Nor does a card of the board tell an outsider anything.
    column = await new_column(session, board, facilitator)
    card = await new_card(session, board, column, facilitator)
    await refused(session, card_access(session, card.id, outsider), Forbidden)
    await refused(session, card_access(session, card.id, None), NotSignedIn)


async def test_an_unknown_board_is_not_found(session: AsyncSession) -> None:
    await refused(session, board_access(session, unique("none"), None), NotFound)
    await refused(session, board_access_by_id(session, 10**9, None), NotFound)


async def test_participants_and_experts_read_only_facilitators_and_admins_change(
    session: AsyncSession,
) -> None:
    board, facilitator = await a_board(session)
    participant = await new_member(session, board, Role.participant)
    expert = await new_member(session, board, Role.expert)
    reader, admin = await new_person(session), await new_person(session, admin=True)
    for user, audience in ((participant, "participant"), (expert, "expert"), (reader, "reader")):
        access = await access_of(session, board, user)
        assert access.can_view and not access.is_facilitator and access.audience == audience
        error = await refused(
            session, create_column(session, access, ColumnIn(title="Non")), Forbidden
        )
        assert error.status == 403
    for user in (facilitator, admin):
        access = await access_of(session, board, user)
        assert access.is_facilitator and access.audience == "facilitator"
        await create_column(session, access, ColumnIn(title=user.display_name))
    assert await column_titles(session, board) == [facilitator.display_name, admin.display_name]


# Columns


async def test_columns_take_the_index_asked_for_and_past_the_end_means_last(
    session: AsyncSession,
) -> None:
    board, facilitator = await a_board(session)
    access = await access_of(session, board, facilitator)
    for title, index in (("B", None), ("D", None), ("A", 0), ("C", 2), ("E", 99)):
        await create_column(session, access, ColumnIn(title=title, index=index))
    assert await column_titles(session, board) == ["A", "B", "C", "D", "E"]
    created = [event for event in await events_of(session, board) if event.type == "column.created"]
    assert [event.data["index"] for event in created] == [0, 1, 0, 2, 4]

    d = await session.scalar(
        select(BoardColumn).where(BoardColumn.board_id == board.id, BoardColumn.title == "D")
    )
    assert d is not None
    await move_column(session, access, d.id, 0)
    assert await column_titles(session, board) == ["D", "A", "B", "C", "E"]
    await move_column(session, access, d.id, 1000)
    assert await column_titles(session, board) == ["A", "B", "C", "E", "D"]
    moved = (await events_of(session, board))[-1]
    assert moved.type == "column.moved"
    assert moved.data == {
        "column_id": d.id,
        "title": "D",
        "index": 4,
        "by": facilitator.display_name,
    }


async def test_a_column_edit_changes_only_what_was_sent(session: AsyncSession) -> None:
    board, facilitator = await a_board(session)
    access = await access_of(session, board, facilitator)
    column = await create_column(
        session, access, ColumnIn(title="Outils", description="Pour commencer", colour="green")
    )
    await update_column(session, access, column.id, ColumnPatch(colour="#2a7b4f"))
    await update_column(session, access, column.id, ColumnPatch(title=None, description=None))
    row = (
        await session.execute(
            select(BoardColumn.title, BoardColumn.description, BoardColumn.colour).where(
                BoardColumn.id == column.id
            )
        )
    ).one()
    assert tuple(row) == ("Outils", "Pour commencer", "#2a7b4f")


async def test_archiving_a_column_is_recorded_once_and_restoring_puts_it_last(
    session: AsyncSession,
) -> None:
    board, facilitator = await a_board(session)
    access = await access_of(session, board, facilitator)
    first = await create_column(session, access, ColumnIn(title="Premier"))
    await create_column(session, access, ColumnIn(title="Second"))
    seq = (await fresh(session, board)).seq
    await archive_column(session, access, first.id)
    await archive_column(session, access, first.id)  # twice: one change
    assert [e.type for e in await events_of(session, board, seq)] == ["column.archived"]
    assert await column_titles(session, board) == ["Second"]
    assert [c.title for c in await board_columns(session, board, archived=True)] == [
        "Premier",
        "Second",
    ]
    await restore_column(session, access, first.id)
    assert await column_titles(session, board) == ["Second", "Premier"]
    restored = (await events_of(session, board))[-1]
    assert restored.type == "column.restored" and restored.data["index"] == 1


async def test_a_column_of_another_board_is_not_found(session: AsyncSession) -> None:
    board, facilitator = await a_board(session)
    other, other_facilitator = await a_board(session)
    theirs = await new_column(session, other, other_facilitator, "Ailleurs")
    access = await access_of(session, board, facilitator)
    patch = ColumnPatch(title="Piraté")
    await refused(session, update_column(session, access, theirs.id, patch), NotFound)
    await refused(session, archive_column(session, access, theirs.id), NotFound)
    assert await column_titles(session, other) == ["Ailleurs"]


# Cards


async def test_a_card_is_created_with_its_labels_shared_by_name(session: AsyncSession) -> None:
    board, facilitator, column = await a_column_of(session)
    access = await access_of(session, board, facilitator)
    card = await create_card(
        session,
        access,
        CardIn(
            column_id=column.id,
            title="  Gabarit de plan  ",
            url="https://example.org/plan",
            languages="fr, en",  # type: ignore[arg-type]
            labels=["Données", "données", "Stratégie"],
        ),
    )
    again = await create_card(
        session, access, CardIn(column_id=column.id, title="Autre", labels=["DONNÉES"])
    )
    assert card.title == "Gabarit de plan" and card.version == 1
    assert card.languages == ["fr", "en"] and card.created_by_id == facilitator.id
    assert sorted(label.name for label in card.labels) == ["Données", "Stratégie"]
    assert [label.id for label in again.labels] == [
        label.id for label in card.labels if label.name == "Données"
    ]
    count = await session.scalar(select(func.count()).where(Label.board_id == board.id))
    assert count == 2
    created = (await events_of(session, board))[-2]
    assert created.type == "card.created"
    assert created.data["card"]["id"] == card.id and created.data["by"] == facilitator.display_name


async def test_a_card_goes_only_in_an_open_column_of_its_board(session: AsyncSession) -> None:
    board, facilitator, column = await a_column_of(session)
    access = await access_of(session, board, facilitator)
    await archive_column(session, access, column.id)
    error = await refused(
        session, create_card(session, access, CardIn(column_id=column.id, title="X")), Invalid
    )
    assert error.field == "column_id"
    other, other_facilitator = await a_board(session)
    elsewhere = await new_column(session, other, other_facilitator)
    await refused(
        session, create_card(session, access, CardIn(column_id=elsewhere.id, title="X")), NotFound
    )
    assert await session.scalar(select(func.count()).where(Card.board_id == board.id)) == 0


async def test_an_edit_from_the_current_version_applies_and_counts_one_more(
    session: AsyncSession,
) -> None:
    board, facilitator, column = await a_column_of(session, "Guide")
    card = await card_titled(session, column, "Guide")
    await session.execute(
        update(Card).where(Card.id == card.id).values(url="https://example.org/guide")
    )
    access = await access_of(session, board, facilitator)
    edited = await update_card(
        session,
        access,
        card.id,
        CardPatch(version=1, title="Guide pratique", url=None, description=None),
    )
    assert (edited.version, edited.title, edited.url) == (2, "Guide pratique", None)
    stored = (
        await session.execute(select(Card.version, Card.title, Card.url).where(Card.id == card.id))
    ).one()
    assert tuple(stored) == (2, "Guide pratique", None)
    event = (await events_of(session, board))[-1]
    assert event.type == "card.updated" and event.data["card"]["version"] == 2


async def test_a_stale_edit_is_a_conflict_that_carries_the_current_card(
    session: AsyncSession,
) -> None:
    board, facilitator, column = await a_column_of(session, "Guide")
    card = await card_titled(session, column, "Guide")
    access = await access_of(session, board, facilitator)
    await update_card(session, access, card.id, CardPatch(version=1, title="Première version"))
    seq = (await fresh(session, board)).seq
    stale = CardPatch(version=1, title="Écrase tout", description="Perdu")
    error = await refused(
        session, update_card(session, access, card.id, stale), Conflict, "stale_version"
    )
    assert error.status == 409
    assert error.current["title"] == "Première version" and error.current["version"] == 2
    stored = (
        await session.execute(select(Card.version, Card.title).where(Card.id == card.id))
    ).one()
    assert tuple(stored) == (2, "Première version")
    assert await events_of(session, board, seq) == []


async def test_moving_a_card_within_its_column_counts_the_index_once_moved(
    session: AsyncSession,
) -> None:
    board, facilitator, column = await a_column_of(session, "a", "b", "c", "d")
    access = await access_of(session, board, facilitator)
    a, d = await card_titled(session, column, "a"), await card_titled(session, column, "d")
    await move_card(session, access, a.id, column.id, 2)
    assert await titles(session, column) == ["b", "c", "a", "d"]
    await move_card(session, access, d.id, column.id, 0)
    assert await titles(session, column) == ["d", "b", "c", "a"]
    await move_card(session, access, d.id, column.id, 99)
    assert await titles(session, column) == ["b", "c", "a", "d"]
    moved = (await events_of(session, board))[-1]
    assert moved.type == "card.moved"
    assert moved.data["index"] == 3 and moved.data["from_column_id"] == column.id


async def test_moving_a_card_to_another_column(session: AsyncSession) -> None:
    board, facilitator, column = await a_column_of(session, "a", "b")
    target = await new_column(session, board, facilitator, "Guides")
    for name in ("x", "y"):
        await new_card(session, board, target, facilitator, title=name)
    access = await access_of(session, board, facilitator)
    b = await card_titled(session, column, "b")
    await move_card(session, access, b.id, target.id, 1)
    assert await titles(session, column) == ["a"]
    assert await titles(session, target) == ["x", "b", "y"]
    moved = (await events_of(session, board))[-1]
    assert (moved.data["from_column_id"], moved.data["column_id"]) == (column.id, target.id)
    assert moved.data["column_title"] == "Guides" and moved.data["index"] == 1


async def test_forty_insertions_at_the_top_renumber_and_keep_the_order(
    session: AsyncSession,
) -> None:
    board, facilitator, column = await a_column_of(session)
    access = await access_of(session, board, facilitator)
    for n in range(40):  # more halvings than the gap between 0 and the first card allows
        await create_card(session, access, CardIn(column_id=column.id, title=f"n{n:02d}", index=0))
    assert await titles(session, column) == [f"n{n:02d}" for n in reversed(range(40))]


async def test_archiving_hides_a_card_and_restoring_puts_it_last(session: AsyncSession) -> None:
    board, facilitator, column = await a_column_of(session, "a", "b", "c")
    access = await access_of(session, board, facilitator)
    a = await card_titled(session, column, "a")
    await archive_card(session, access, a.id)
    seq = (await fresh(session, board)).seq
    await archive_card(session, access, a.id)
    assert await events_of(session, board, seq) == []  # archiving twice is one change
    assert await titles(session, column) == ["b", "c"]
    error = await refused(
        session, move_card(session, access, a.id, column.id, 0), Conflict, "archived"
    )
    assert error.status == 409
    await restore_card(session, access, a.id)
    assert await titles(session, column) == ["b", "c", "a"]
    restored = (await events_of(session, board))[-1]
    assert restored.type == "card.restored" and restored.data["index"] == 2


async def test_an_archived_card_is_gone_for_everyone_but_the_facilitators(
    session: AsyncSession,
) -> None:
    board, facilitator, column = await a_column_of(session, "a")
    participant = await new_member(session, board, Role.participant)
    a = await card_titled(session, column, "a")
    await archive_card(session, await access_of(session, board, facilitator), a.id)
    for user in (participant, None):
        await refused(session, card_access(session, a.id, user), NotFound)
    card, access = await card_access(session, a.id, facilitator)
    assert card.id == a.id and access.is_facilitator


async def test_only_facilitators_change_cards(session: AsyncSession) -> None:
    board, _facilitator, column = await a_column_of(session, "a")
    a = await card_titled(session, column, "a")
    participant = await new_member(session, board, Role.participant)
    access = await access_of(session, board, participant)
    calls = [
        create_card(session, access, CardIn(column_id=column.id, title="Non")),
        update_card(session, access, a.id, CardPatch(version=1, title="Non")),
        move_card(session, access, a.id, column.id, 0),
        archive_card(session, access, a.id),
    ]
    for call in calls:
        await refused(session, call, Forbidden)
    stored = (
        await session.execute(
            select(Card.title, Card.version, Card.archived_at).where(Card.id == a.id)
        )
    ).one()
    assert tuple(stored) == ("a", 1, None)


async def test_a_moves_access_takes_its_seq_only_for_who_may_move(session: AsyncSession) -> None:
    """The access read for a move takes the board's lock and its event's seq (on PostgreSQL in
    the same statement): for a facilitator and the admin, and the move records its event with
    it; for anyone the move refuses, nothing is written."""
    board, facilitator, column = await a_column_of(session, "a", "b")
    a = await card_titled(session, column, "a")
    participant = await new_member(session, board, Role.participant)
    reader = await new_person(session)
    admin = await new_person(session, admin=True)
    seq = (await fresh(session, board)).seq
    for user, error in ((participant, Forbidden), (reader, Forbidden), (None, NotSignedIn)):
        for read in (
            card_board_access(session, a.id, user, taking_seq=True),
            board_access(session, board.slug, user, taking_seq=True),
        ):
            access = await read
            assert access.taken_seq is None
            await refused(session, move_card(session, access, a.id, column.id, 1), error)
    assert (await fresh(session, board)).seq == seq
    for user in (facilitator, admin):
        for read in (
            card_board_access(session, a.id, user, taking_seq=True),
            board_access(session, board.slug, user, taking_seq=True),
        ):
            access = await read
            seq += 1
            assert access.taken_seq == seq
            await move_card(session, access, a.id, column.id, 1)
            moved = (await events_of(session, board))[-1]
            assert (moved.seq, moved.type, moved.data["card_id"]) == (seq, "card.moved", a.id)
    assert (await fresh(session, board)).seq == seq
    assert await titles(session, column) == ["b", "a"]


# Members and invitations


async def test_set_membership_adds_then_changes_one_role(session: AsyncSession) -> None:
    board, facilitator = await a_board(session)
    person = await new_person(session, name="Zoé")
    await set_membership(session, board, person, Role.participant)
    await set_membership(session, board, person, Role.expert, actor_id=facilitator.id)
    roles = list(
        await session.scalars(
            select(Membership.role).where(
                Membership.board_id == board.id, Membership.user_id == person.id
            )
        )
    )
    assert roles == [Role.expert]
    assert (person, Role.expert) in await board_members(session, board)
    event = (await events_of(session, board))[-1]
    assert event.type == "member.updated" and event.actor_id == facilitator.id
    assert event.data == {"user_id": person.id, "name": "Zoé", "role": "expert"}


async def test_role_changes_are_for_facilitators_and_never_on_themselves(
    session: AsyncSession,
) -> None:
    board, facilitator = await a_board(session)
    participant = await new_member(session, board, Role.participant)
    as_participant = await access_of(session, board, participant)
    await refused(
        session, change_role(session, as_participant, participant.id, Role.facilitator), Forbidden
    )
    as_facilitator = await access_of(session, board, facilitator)
    await change_role(session, as_facilitator, participant.id, Role.expert)
    await refused(
        session, change_role(session, as_facilitator, facilitator.id, Role.participant), Forbidden
    )
    stranger = await new_person(session)
    await refused(session, change_role(session, as_facilitator, stranger.id, Role.expert), NotFound)
    members = dict((user.id, role) for user, role in await board_members(session, board))
    assert members == {facilitator.id: Role.facilitator, participant.id: Role.expert}
    # The admin stands in for the facilitators, and may step a facilitator down.
    admin = await new_person(session, admin=True)
    as_admin = await access_of(session, board, admin)
    await change_role(session, as_admin, facilitator.id, Role.participant)
    role = await session.scalar(
        select(Membership.role).where(
            Membership.board_id == board.id, Membership.user_id == facilitator.id
        )
    )
    assert role == Role.participant


async def test_an_invitation_makes_one_member_with_its_role(session: AsyncSession) -> None:
    board, facilitator = await a_board(session, public=False)
    access = await access_of(session, board, facilitator)
    token = await create_invitation(session, access, Role.expert)
    stored = await session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    assert stored is not None and stored.role == Role.expert and stored.used_at is None
    guest, second = await new_person(session), await new_person(session)
    assert (await accept_invitation(session, token, guest)).id == board.id
    assert (await board_access(session, board.slug, guest)).role == Role.expert
    await refused(session, accept_invitation(session, token, second), NotFound)
    members = {user.id for user, _role in await board_members(session, board)}
    assert members == {facilitator.id, guest.id}


async def test_an_invitation_only_raises_a_role(session: AsyncSession) -> None:
    """A facilitator who accepts a participant's invitation (a link sent by mistake, or by
    someone who wants them out) stays facilitator; a participant invited as expert is raised."""
    board, facilitator = await a_board(session, public=False)
    access = await access_of(session, board, facilitator)
    lower = await create_invitation(session, access, Role.participant)
    await accept_invitation(session, lower, facilitator)
    assert (await board_access(session, board.slug, facilitator)).role == Role.facilitator
    participant = await new_member(session, board, Role.participant)
    await accept_invitation(
        session, await create_invitation(session, access, Role.expert), participant
    )
    assert (await board_access(session, board.slug, participant)).role == Role.expert


async def test_an_expired_invitation_lets_nobody_in(session: AsyncSession) -> None:
    board, facilitator = await a_board(session, public=False)
    token = await create_invitation(
        session, await access_of(session, board, facilitator), Role.participant
    )
    await session.execute(
        update(Invitation)
        .where(Invitation.token_hash == hash_token(token))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    guest = await new_person(session)
    await refused(session, accept_invitation(session, token, guest), NotFound)
    await refused(session, accept_invitation(session, "not a token", guest), NotFound)
    assert await session.scalar(select(func.count()).where(Membership.user_id == guest.id)) == 0


@pytest.mark.parametrize("role", [Role.participant, Role.expert])
async def test_only_facilitators_invite(session: AsyncSession, role: Role) -> None:
    board, _facilitator = await a_board(session)
    member = await new_member(session, board, role)
    access = await access_of(session, board, member)
    await refused(session, create_invitation(session, access, Role.facilitator), Forbidden)
    assert await session.scalar(select(func.count()).where(Invitation.board_id == board.id)) == 0


async def test_the_board_pages_tiles_are_its_open_cards_as_the_orm_has_them(
    session: AsyncSession,
) -> None:
    """`card_tiles` (two Core reads) gives what `cards_by_column` gives, field for field."""
    board, facilitator, column = await a_column_of(session, "Glossaire", "Plan d’action")
    other = await new_column(session, board, facilitator, "Données")
    await new_card(
        session,
        board,
        other,
        facilitator,
        title="Wikidata",
        kind=Kind.guide,
        languages=["fr", "en"],
        labels=["Gratuit", "Données"],
    )
    archived = await new_card(session, board, column, facilitator, title="Retiré")
    await archive_card(session, await access_of(session, board, facilitator), archived.id)
    tiles = await card_tiles(session, board)
    cards = await cards_by_column(session, board)
    assert tiles.keys() == cards.keys()
    for column_id, row in cards.items():
        assert [
            (t.id, t.title, t.kind, list(t.languages), [(x.name, x.colour) for x in t.labels])
            for t in tiles[column_id]
        ] == [
            (c.id, c.title, c.kind, c.languages, [(x.name, x.colour) for x in c.labels])
            for c in row
        ]
    assert [t.title for t in tiles[other.id]] == ["Wikidata"]
    assert [x.name for x in tiles[other.id][0].labels] == ["Données", "Gratuit"]
    assert "Retiré" not in [t.title for t in tiles[column.id]]


async def test_card_records_are_the_cards_documents_as_the_orm_has_them(
    session: AsyncSession,
) -> None:
    """`card_records` (two Core reads, one parameter for all the ids) gives each card's document
    as the ORM's card gives it, labels in name order; an id that is no card is left out."""
    board, facilitator, column = await a_column_of(session, "Glossaire")
    card = await new_card(
        session,
        board,
        column,
        facilitator,
        title="Wikidata pour les musées",
        url="https://www.wikidata.org/",
        kind=Kind.guide,
        languages=["fr", "en"],
        labels=["Gratuit", "Données"],
    )
    plain = await new_card(session, board, column, facilitator, title="Sans étiquette")
    records = await card_records(session, [plain.id, card.id, 999_999])
    assert set(records) == {plain.id, card.id}
    for orm in (card, plain):
        await session.refresh(orm)
        assert card_document(records[orm.id]) == card_document(orm)
    assert [label.name for label in records[card.id].labels] == ["Données", "Gratuit"]
    assert await card_records(session, []) == {}


async def test_tiles_brought_up_to_date_by_column_are_the_tiles_read_whole(
    session: AsyncSession,
) -> None:
    """`board_tiles` keeps a board's tiles and, after changes, reads again only the columns the
    event log names (and the columns themselves after a change that was not a card's): after
    each kind of change, what it gives is what a whole read gives."""
    board, facilitator, first = await a_column_of(session, "Glossaire", "Plan d’action")
    second = await new_column(session, board, facilitator, "Données")
    card = await new_card(session, board, second, facilitator, title="Wikidata", labels=["Gratuit"])
    access = await access_of(session, board, facilitator)

    async def version() -> int:
        found = await session.get(Card, card.id, populate_existing=True)
        assert found is not None
        return found.version

    async def add() -> None:
        await new_card(session, board, first, facilitator, title="Boussole", labels=["Gratuit"])

    async def move() -> None:
        await move_card(session, access, card.id, first.id, 0)

    async def edit() -> None:
        patch = CardPatch(version=await version(), title="Wikidata 101", languages=["fr"])
        await update_card(session, access, card.id, patch)

    async def relabel() -> None:
        label = await session.scalar(select(Label).where(Label.board_id == board.id))
        assert label is not None
        await update_label(session, access, label.id, LabelIn(name="Libre", colour="green"))

    async def archive() -> None:
        await archive_card(session, access, card.id)

    async def rename_column() -> None:
        await update_column(session, access, second.id, ColumnPatch(title="Données ouvertes"))

    async def add_column() -> None:
        await new_column(session, board, facilitator, "Financement")

    for change in (add, move, edit, relabel, archive, rename_column, add_column):
        await board_tiles(session, await fresh(session, board))  # kept at the seq before
        await change()
        current = await fresh(session, board)
        kept = await board_tiles(session, current)
        forget_kept_tiles()
        whole = await board_tiles(session, current)
        assert kept.columns == whole.columns, change.__name__
        assert facets(kept.cards) == facets(whole.cards), change.__name__
        assert {c: t for c, t in kept.cards.items() if t} == {
            c: t for c, t in whole.cards.items() if t
        }, change.__name__
    assert [c.title for c in whole.columns][-2:] == ["Données ouvertes", "Financement"]
    assert facets(whole.cards).labels == ["Libre"]  # "Gratuit", renamed
    whole = whole.cards
    titles = [t.title for t in whole[first.id]]
    assert "Wikidata 101" not in titles and "Boussole" in titles
