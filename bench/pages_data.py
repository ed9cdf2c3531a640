"""The read-path bench's data (bench/pages.py), made through the product's own services.

A board of 600 resource cards a facilitator would recognise (the demo board's French cards,
each in several contexts, with its labels, kind, languages and a few lines of Markdown), its
brigade with a day of sessions, some claimed and booked; and a second board of 10,000 cards for
the search figure. Everything goes through the same service functions as the forms and the
API, in one transaction per board, so the rows, positions and events are the real ones.
"""

from __future__ import annotations

import json
import time as clock
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from toolbox.accounts.services import create_api_token, create_user
from toolbox.board.access import BoardAccess, access_to
from toolbox.board.cards import create_card
from toolbox.board.members import set_membership
from toolbox.board.models import Kind, Role, Visibility
from toolbox.board.schemas import BoardIn, CardIn, ColumnIn
from toolbox.board.services import create_board, create_column
from toolbox.brigade.bookings import book
from toolbox.brigade.claims import claim_slot
from toolbox.brigade.schedule import create_grid
from toolbox.brigade.schemas import BookingIn, GridIn
from toolbox.db import Database
from toolbox.principal import Actor

DEMO = Path(__file__).resolve().parent.parent / "toolbox" / "demo" / "board.json"
TIMEZONE = "America/Toronto"
SLUG, BIG_SLUG = "salle", "grand-inventaire"
CARDS = 600  # on the board the pages are measured on
FACILITATOR, PARTICIPANT = "animation@example.org", "participante@example.org"

# The demo's eight columns, and four more a regional accelerator would have.
EXTRA_COLUMNS = (
    "Financement et subventions",
    "Communication et médiation",
    "Droits, licences et contrats",
    "Logiciels libres",
)
# Each demo card told in another context: the words that make the titles and the bodies differ
# as they do on a real board (and that the search queries below must tell apart).
CONTEXTS = (
    "pour les musées",
    "pour les bibliothèques",
    "pour les festivals",
    "pour les centres d'artistes",
    "en arts de la scène",
    "pour les archives",
    "en région",
    "à Montréal",
    "pour les diffuseurs",
    "version abrégée",
    "atelier pratique",
    "fiche synthèse",
    "pour le théâtre",
    "en danse",
)
PLACES = ("Rimouski", "Sherbrooke", "Trois-Rivières", "Gatineau", "Saguenay", "Lévis", "Laval")
YEARS = ("2024", "2025", "2026")
EXPERTS = (
    ("expert.donnees@example.org", "Mélanie Tremblay"),
    ("expert.strategie@example.org", "Julien Moreau"),
    ("expert.ecoconception@example.org", "Aïcha Benali"),
)
#: What a room types in the search box (accents, elisions, several words, a typo-free stem).
QUERIES = (
    "métadonnées",
    "autodiagnostic numérique",
    "ecoconception",
    "stratégie d'un musée",
    "gabarit",
    "découvrabilité des contenus",
    "wikidata",
    "données ouvertes",
    "formation compétences",
    "innovation ouverte",
    "accessibilité",
    "billetterie",
)


MAX_QUERIES = len(QUERIES) * (1 + len(PLACES))


def first_queries(count: int) -> list[str]:
    """`count` different queries, none asked twice: each query alone, then with a town (as
    someone narrows a search), so that a kept result cannot answer a later one."""
    queries = list(QUERIES) + [f"{query} {place}" for place in PLACES for query in QUERIES]
    if count > MAX_QUERIES:
        raise ValueError(f"at most {MAX_QUERIES} different queries")
    return queries[:count]


@dataclass
class Population:
    slug: str = SLUG
    big_slug: str = BIG_SLUG
    card_ids: list[int] = field(default_factory=list)
    big_cards: int = 0
    slots: int = 0
    facilitator_token: str = ""
    participant_token: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def _demo_cards() -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = json.loads(DEMO.read_text(encoding="utf-8"))["cards"]
    return [card for card in cards if card["archived_at"] is None]


def _demo_columns() -> list[str]:
    columns = json.loads(DEMO.read_text(encoding="utf-8"))["columns"]
    return [column["title"] for column in columns] + list(EXTRA_COLUMNS)


def card_contents(count: int, column_ids: list[int]) -> list[CardIn]:
    """`count` cards over the columns in turn, each a demo card in a context of its own."""
    demo = _demo_cards()
    contents = []
    for n in range(count):
        base = demo[n % len(demo)]
        context = CONTEXTS[(n // len(demo)) % len(CONTEXTS)]
        place = PLACES[n % len(PLACES)]
        year = YEARS[n % len(YEARS)]
        round_ = n // (len(demo) * len(CONTEXTS))  # only the big board gets this far
        title = f"{base['title']} — {context}" + (f" ({place} {year})" if round_ else "")
        description = (
            f"{base['description']}\n\n"
            f"**Contexte** : {context}, retenu par l'équipe de {place} en {year}.\n"
            f"- À lire avant l'atelier du *{n % 28 + 1} mars*\n"
            f"- Voir aussi la fiche n° {n + 1} de l'inventaire"
        )
        languages = list(base["languages"]) + (["en"] if n % 5 == 0 else [])
        contents.append(
            CardIn(
                column_id=column_ids[n % len(column_ids)],
                title=title[:200],
                url=base["url"],
                description=description,
                kind=Kind(base["kind"]),
                languages=list(dict.fromkeys(languages)),
                audiences=base["audiences"],
                labels=base["labels"] + ([place] if n % 3 == 0 else []),
                source=base["source"],
                licence=base["licence"],
            )
        )
    return contents


async def _board_with_cards(
    db: Database, admin: Actor, slug: str, title: str, cards: int, columns: int
) -> tuple[BoardAccess, list[int]]:
    """A public board, its columns, `cards` cards: one transaction, through the services."""
    async with db.write() as session:
        board = await create_board(
            session,
            admin,
            BoardIn(slug=slug, title=title, visibility=Visibility.public),
            default_timezone=TIMEZONE,
            facilitator=admin,
        )
        access = await access_to(session, board, admin)
        titles = _demo_columns()
        column_ids = []
        for n in range(columns):
            again = f" ({n // len(titles) + 1})" if n >= len(titles) else ""
            column = await create_column(
                session, access, ColumnIn(title=titles[n % len(titles)] + again)
            )
            column_ids.append(column.id)
        card_ids = []
        for content in card_contents(cards, column_ids):
            card_ids.append((await create_card(session, access, content)).id)
    return access, card_ids


async def _brigade(db: Database, access: BoardAccess, participant: Actor) -> int:
    """Tomorrow's sessions in three rooms, two thirds claimed by an expert, a few booked."""
    tomorrow = datetime.now(ZoneInfo(TIMEZONE)).date() + timedelta(days=1)
    grid = GridIn(
        days=[tomorrow],
        start=time(9, 0),
        end=time(17, 0),
        minutes=45,
        gap=15,
        places=["Salle Riopelle", "Salle Borduas", "En ligne"],
        capacity=2,
    )
    async with db.write() as session:
        experts = []
        for email, name in EXPERTS:
            expert = await create_user(session, email, name=name)
            await set_membership(session, access.board, expert, Role.expert)
            experts.append(expert)
        facilitator = await access_to(session, access.board, access.user)
        slots = await create_grid(session, facilitator, grid)
        await session.flush()
        claimed = [slot.id for n, slot in enumerate(slots) if n % 3 != 2]
        for n, slot_id in enumerate(claimed):
            # The grid goes time by time, room by room: expert n % 2 keeps one room all day, so
            # that no two of their sessions overlap; the third room waits for an expert.
            await claim_slot(session, facilitator, slot_id, experts[n % 2].id)
    for n, slot_id in enumerate(claimed[::4]):
        need = BookingIn(need="Un plan pour nos métadonnées", organisation=f"Organisme {n}")
        await book(db, participant, slot_id, need, None)
    return len(slots)


async def populate(url: str, big_cards: int = 10_000) -> Population:
    """Both boards, the brigade, the facilitator and the participant with their API tokens."""
    db = Database(url)
    result = Population()
    try:
        async with db.write() as session:
            admin = await create_user(session, FACILITATOR, name="Camille Animation", is_admin=True)
            participant = await create_user(session, PARTICIPANT, name="Musée régional")
            result.facilitator_token = await create_api_token(session, admin)
            result.participant_token = await create_api_token(session, participant)
        started = clock.perf_counter()
        access, result.card_ids = await _board_with_cards(
            db, admin, SLUG, "Accélérateur numérique culturel", cards=CARDS, columns=12
        )
        result.seconds["board_600"] = clock.perf_counter() - started
        async with db.write() as session:
            await set_membership(session, access.board, participant, Role.participant)
        started = clock.perf_counter()
        result.slots = await _brigade(db, access, participant)
        result.seconds["brigade"] = clock.perf_counter() - started
        started = clock.perf_counter()
        # 40 columns of 250: placing a card reads its column's cards, so shorter columns keep
        # the populate from growing with the square of the cards (the search reads them all).
        _big, big_ids = await _board_with_cards(
            db, admin, BIG_SLUG, "Grand inventaire", cards=big_cards, columns=40
        )
        result.big_cards = len(big_ids)
        result.seconds[f"board_{big_cards}"] = clock.perf_counter() - started
        if not db.is_sqlite:
            # What autovacuum does within a minute or so of such a load: without statistics,
            # PostgreSQL's planner takes a 10,000-card board for a handful of rows and walks
            # every card instead of the search index (≈ 50 ms a query instead of ≈ 3); and
            # each label given to a card wrote its search row again, leaving two dead rows
            # for each live one, which a search would step over. The figures are for a
            # database in its steady state, not in its first minute.
            async with db.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
    finally:
        await db.dispose()
    return result
