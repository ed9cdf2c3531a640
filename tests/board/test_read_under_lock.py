"""What a change reads once it holds the board's lock is the database's row, not the copy its
request loaded before taking it.

A request loads the card (or suggestion) first, to learn its board and check access, then takes
the board's lock and changes it. On PostgreSQL another request may commit a change to that row
in between; SQLAlchemy's identity map would hand the earlier copy back, and the change would be
decided on it: a move back to the card's old column wrote nothing (the column "did not change"),
an edit from an old version overwrote a newer one, a suggestion was decided twice. SQLite
cannot interleave so (a write transaction begins with its lock), hence PostgreSQL alone.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import make_board, make_card, make_column, make_member, make_user
from toolbox.board.access import board_access_by_id
from toolbox.board.cards import card_access, move_card, update_card
from toolbox.board.models import Card, Role, Suggestion, SuggestionStatus
from toolbox.board.schemas import CardPatch, DeclineSuggestion, SuggestionIn
from toolbox.board.suggestions import decline, suggest, suggestion_access
from toolbox.db import Database
from toolbox.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]


async def test_a_card_moved_back_while_the_request_was_on_its_way_lands_back(db: Database) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    first, second = [await make_column(db, board, facilitator, t) for t in ("Outils", "Guides")]
    card = await make_card(db, board, first, facilitator, title="Glossaire")
    async with db.write() as session:
        _loaded, access = await card_access(session, card.id, facilitator)  # column: first
        async with db.write() as other:  # meanwhile, someone moves it to the second column
            _, other_access = await card_access(other, card.id, facilitator)
            await move_card(other, other_access, card.id, second.id, 0)
        await move_card(session, access, card.id, first.id, 0)  # and this request, back
    async with db.read() as session:
        column_id = await session.scalar(select(Card.column_id).where(Card.id == card.id))
    assert column_id == first.id


async def test_an_edit_from_a_version_edited_meanwhile_is_refused(db: Database) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Outils")
    card = await make_card(db, board, column, facilitator, title="Glossaire")
    version = card.version
    async with db.write() as session:
        _loaded, access = await card_access(session, card.id, facilitator)
        async with db.write() as other:
            _, other_access = await card_access(other, card.id, facilitator)
            await update_card(
                other, other_access, card.id, CardPatch(version=version, title="Lexique")
            )
        with pytest.raises(Conflict) as refused:
            await update_card(session, access, card.id, CardPatch(version=version, title="Mots"))
    assert refused.value.code == "stale_version"
    async with db.read() as session:
        title = await session.scalar(select(Card.title).where(Card.id == card.id))
    assert title == "Lexique"


async def test_a_suggestion_decided_meanwhile_is_not_decided_again(db: Database) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    participant = await make_member(db, board, Role.participant)
    async with db.write() as session:
        mine = await board_access_by_id(session, board.id, participant)
        suggestion = await suggest(session, mine, SuggestionIn(title="Un guide"))
    async with db.write() as session:
        _loaded, access = await suggestion_access(session, suggestion.id, facilitator)
        async with db.write() as other:
            _, other_access = await suggestion_access(other, suggestion.id, facilitator)
            await decline(other, other_access, suggestion.id, DeclineSuggestion(reason="Déjà là"))
        with pytest.raises(Conflict) as refused:
            await decline(session, access, suggestion.id, DeclineSuggestion(reason="Hors sujet"))
    assert refused.value.code == "already_decided"
    async with db.read() as session:
        reason = await session.scalar(
            select(Suggestion.reason).where(Suggestion.id == suggestion.id)
        )
        status = await session.scalar(
            select(Suggestion.status).where(Suggestion.id == suggestion.id)
        )
    assert (status, reason) == (SuggestionStatus.declined, "Déjà là")
