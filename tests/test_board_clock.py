"""Each process knows every board's latest seq from the bus (toolbox.board_clock,
toolbox.live.notices), so that a read whose kept rendering is current asks the database nothing;
and a whole answer to someone not signed in is kept with it (toolbox.anonymous)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import event

from tests.conftest import POSTGRES_URL
from tests.factories import (
    bearer,
    make_board,
    make_card,
    make_column,
    make_member,
    make_user,
    members_board_with_a_secret,
    origin,
    signed_in,
)
from tests.servers import LiveServer, migrated_database, wait_until
from toolbox.app import create_app
from toolbox.board.models import Role
from toolbox.board_clock import BoardClock
from toolbox.db import Database
from toolbox.settings import Settings

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_seq_is_believed_for_a_while_then_asked_again() -> None:
    now = [100.0]
    clock = BoardClock(trust_seconds=2.0, now=lambda: now[0])
    assert clock.latest(1) is None
    clock.note(1, 5)
    clock.note(1, 4)  # a read that began before the commit of 5: the later seq stays
    assert clock.latest(1) == 5 and clock.is_current(1, 5) and not clock.is_current(1, 4)
    now[0] += 1.5
    clock.note(1, 5)  # heard again: believed for two more seconds
    now[0] += 1.9
    assert clock.latest(1) == 5
    now[0] += 0.2
    assert clock.latest(1) is None
    clock.note(2, 1)
    clock.forget_all()
    assert clock.latest(2) is None and len(clock) == 0


@pytest.fixture
def believing_server(database_url: str) -> Iterator[LiveServer]:
    """A server that believes the seqs it hears for a minute: only its own bus tells it."""
    server = LiveServer(database_url, env={"TOOLBOX_SEQ_TRUST_SECONDS": "60"})
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def http(believing_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=believing_server.url, timeout=20) as client:
        yield client


async def test_a_change_through_the_app_reaches_the_next_read_at_once(
    db: Database, http: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    first = await http.get(f"/b/{board.slug}", headers=GZIP)
    again = await http.get(
        f"/b/{board.slug}", headers={**GZIP, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    auth = await bearer(db, facilitator)
    created = await http.post(
        f"/api/v1/boards/{board.slug}/cards",
        json={"column_id": column.id, "title": "Boussole de l’innovation ouverte"},
        headers=auth,
    )
    assert created.status_code == 201
    # The very next read, with the tag of the old page: a new page, not a 304.
    after = await http.get(
        f"/b/{board.slug}", headers={**GZIP, "If-None-Match": first.headers["etag"]}
    )
    assert after.status_code == 200
    assert "Boussole de l’innovation ouverte" in after.text


async def test_a_change_no_bus_carried_is_seen_once_the_seq_is_asked_again(
    database_url: str, db: Database
) -> None:
    """The command line beside a server on memory://: written straight to the database."""
    server = LiveServer(database_url, env={"TOOLBOX_SEQ_TRUST_SECONDS": "0.5"})
    server.start()
    try:
        facilitator = await make_user(db)
        board = await make_board(db, facilitator=facilitator)
        column = await make_column(db, board, facilitator)
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            assert (await client.get(f"/b/{board.slug}")).status_code == 200
            await make_card(db, board, column, facilitator, title="Fiche de l’autodiagnostic")

            async def seen() -> bool:
                return "Fiche de l’autodiagnostic" in (await client.get(f"/b/{board.slug}")).text

            await wait_until(seen, within=3.0, interval=0.1)
    finally:
        server.stop()


async def test_whole_answers_to_visitors_are_never_given_to_someone_signed_in(
    db: Database, http: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    participant = await make_member(db, board, Role.participant)
    await make_column(db, board, facilitator, "Stratégie")
    path = f"/b/{board.slug}"
    for _ in range(2):  # the second is the kept answer
        visitors = await http.get(path, headers=GZIP)
        assert f"{path}/manage" not in visitors.text
        assert facilitator.display_name not in visitors.text
    async with httpx.AsyncClient(base_url=http.base_url) as theirs:
        await signed_in(theirs, facilitator)
        facilitators = await theirs.get(path, headers=GZIP)
        assert f"{path}/manage" in facilitators.text
        assert facilitators.headers["cache-control"] == "private, no-cache"
    async with httpx.AsyncClient(base_url=http.base_url) as theirs:
        await signed_in(theirs, participant)
        # Also with the visitors' tag: someone signed in gets their own page, not a 304.
        mine = await theirs.get(path, headers={**GZIP, "If-None-Match": visitors.headers["etag"]})
        assert mine.status_code == 200
        assert participant.display_name in mine.text
    again = await http.get(path, headers=GZIP)
    assert again.text == visitors.text and participant.display_name not in again.text
    # An API token is someone too.
    auth = await bearer(db, facilitator)
    document = await http.get(f"/api/v1/boards/{board.slug}?archived=1", headers=auth)
    assert document.headers["cache-control"] == "private, no-cache"


async def test_kept_answers_differ_by_language_encoding_and_htmx_target(
    db: Database, http: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title="Glossaire du numérique")
    path = f"/b/{board.slug}"
    for _ in range(2):
        french = await http.get(path, headers={"Accept-Language": "fr-CA"})
        english = await http.get(path, headers={"Accept-Language": "en"})
        chosen = await http.get(path, headers={"Cookie": "toolbox_locale=en"})
        plain = await http.get(path, headers={"Accept-Encoding": "identity"})
        packed = await http.get(path, headers=GZIP)
        results = await http.get(
            path,
            params={"q": "glossaire"},
            headers={"HX-Request": "true", "HX-Target": "board-results"},
        )
        page = await http.get(path, params={"q": "glossaire"})
        assert "Rechercher" in french.text and "Search" in english.text
        assert "Search" in chosen.text and "Rechercher" not in chosen.text
        assert "content-encoding" not in plain.headers
        assert packed.headers["content-encoding"] in {"gzip", "br"}
        assert plain.text == packed.text
        assert "<html" not in results.text and "<mark>Glossaire</mark> du numérique" in results.text
        assert "<html" in page.text


async def test_a_members_board_never_answers_a_visitor_from_memory(
    db: Database, http: httpx.AsyncClient
) -> None:
    board, member = await members_board_with_a_secret(db)
    async with httpx.AsyncClient(base_url=http.base_url) as theirs:
        await signed_in(theirs, member)
        for _ in range(2):
            assert "Confidentiel" in (await theirs.get(f"/b/{board.slug}", headers=GZIP)).text
    for _ in range(2):
        visitor = await http.get(f"/b/{board.slug}", headers=GZIP)
        assert visitor.status_code in {401, 303} and "Confidentiel" not in visitor.text
        document = await http.get(f"/api/v1/boards/{board.slug}", headers=GZIP)
        assert document.status_code in {401, 403, 404} and "Confidentiel" not in document.text


async def test_a_kept_304_carries_the_security_headers(
    db: Database, http: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    first = await http.get(f"/b/{board.slug}", headers=GZIP)
    for _ in range(2):
        kept = await http.get(
            f"/b/{board.slug}", headers={**GZIP, "If-None-Match": first.headers["etag"]}
        )
        assert kept.status_code == 304 and kept.content == b""
        assert kept.headers["etag"] == first.headers["etag"]
        assert "frame-ancestors 'none'" in kept.headers["content-security-policy"]
        assert kept.headers["x-content-type-options"] == "nosniff"
        assert "accept-encoding" in kept.headers["vary"].lower()


@pytest.fixture
async def app_url(backend: str) -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory(prefix="toolbox-clock-") as directory:
        async with migrated_database(backend, directory, POSTGRES_URL) as url:
            yield url


async def test_a_current_rendering_is_served_without_a_single_statement(app_url: str) -> None:
    """DESIGN.md §4b: a read whose rendering is current touches no database, for a visitor
    and for someone signed in alike (who they are, their role, the board's seq: all known)."""
    app = create_app(Settings(database_url=app_url, seq_trust_seconds=60))
    db: Database = app.state.db
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title="Glossaire du numérique")
    participant = await make_member(db, board, Role.participant)
    statements: list[str] = []
    event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        # The mail worker polls its outbox meanwhile: every other statement counts.
        lambda _c, _cur, sql, *_: None if "outbox" in sql else statements.append(sql),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://test") as visitor,
            httpx.AsyncClient(transport=transport, base_url="http://test") as member,
        ):
            await signed_in(member, participant)
            paths = [f"/b/{board.slug}", f"/api/v1/boards/{board.slug}"]
            for client in (visitor, member):
                for path in paths:
                    assert (await client.get(path)).status_code == 200
            assert statements  # rendered once: read from the database
            statements.clear()
            for client in (visitor, member):
                for path in paths:
                    assert (await client.get(path)).status_code == 200
            assert statements == []
            await make_card(db, board, column, facilitator, title="Plan d’action")
            assert "Plan d’action" in (await visitor.get(f"/b/{board.slug}")).text


async def test_a_role_changed_through_the_app_changes_the_next_page_of_that_person(
    db: Database, http: httpx.AsyncClient
) -> None:
    """Who may see what is read with the board's seq: a new role is a new seq, read at once."""
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    member = await make_member(db, board, Role.participant)
    path = f"/b/{board.slug}"
    async with (
        httpx.AsyncClient(base_url=http.base_url) as theirs,
        httpx.AsyncClient(base_url=http.base_url) as curator,
    ):
        await signed_in(theirs, member)
        await signed_in(curator, facilitator)
        for _ in range(2):
            assert f"{path}/manage" not in (await theirs.get(path)).text
        promoted = await curator.post(
            f"{path}/members/{member.id}/role",
            data={"role": "facilitator"},
            headers=origin(curator),
        )
        assert promoted.status_code == 303, promoted.text
        assert f"{path}/manage" in (await theirs.get(path)).text
        demoted = await curator.post(
            f"{path}/members/{member.id}/role",
            data={"role": "participant"},
            headers=origin(curator),
        )
        assert demoted.status_code == 303, demoted.text
        assert f"{path}/manage" not in (await theirs.get(path)).text
