"""The import form of the manage page, the page that follows an import, and the exports, through
a real server."""

from __future__ import annotations

import asyncio
import copy
import csv
import io
import json
import re
from datetime import timedelta

import httpx
from websockets.asyncio.client import connect

from tests.factories import (
    bearer,
    make_board,
    make_card,
    make_column,
    make_member,
    make_user,
    signed_in,
)
from tests.factories import origin as same_origin
from tests.servers import LiveServer, wait_until
from tests.transfer.builders import FIXTURES, large_export
from toolbox.board.models import Role
from toolbox.db import Database, utcnow
from toolbox.transfer.csv_io import read_csv
from toolbox.transfer.models import ImportJob, JobStatus

WEKAN = (FIXTURES / "wekan-project100.json").read_bytes()
DECK = (FIXTURES / "deck-minimal.json").read_bytes()
ENGLISH = {"Accept-Language": "en"}


async def upload(
    client: httpx.AsyncClient, slug: str, content: bytes, target: str = "new"
) -> httpx.Response:
    return await client.post(
        f"/b/{slug}/import",
        files={"file": ("export.json", content, "application/json")},
        data={"target": target},
        headers={**same_origin(client), **ENGLISH},
    )


async def finished(client: httpx.AsyncClient, job_url: str) -> str:
    """The job's page once the import is over."""
    page = ""

    async def done() -> bool:
        nonlocal page
        response = await client.get(job_url, headers={"HX-Request": "true", **ENGLISH})
        assert response.status_code == 200
        page = response.text
        return "hx-trigger" not in page

    await wait_until(done, within=30, interval=0.1)
    return page


async def visible_slugs(client: httpx.AsyncClient, auth: dict[str, str]) -> set[str]:
    boards = (await client.get("/api/v1/boards", headers=auth)).json()["boards"]
    return {board["slug"] for board in boards}


async def test_a_facilitator_imports_a_trello_board_follows_it_and_imports_it_again(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    await signed_in(client, facilitator)
    manage = await client.get(f"/b/{board.slug}/manage")
    assert 'action="/b/' + board.slug + '/import"' in manage.text

    response = await upload(client, board.slug, WEKAN)
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    assert re.fullmatch(rf"/b/{board.slug}/import/[0-9a-f]{{32}}", job_url)
    page = await finished(client, job_url)
    assert "<html" not in page  # the fragment htmx polls
    assert "The import is done." in page and ") created." in page
    assert "33 entries of Trello&#39;s activity log" in page
    link = re.search(r'<a href="/b/([a-z0-9-]+)" id="imported-board"', page)
    assert link is not None
    slug = link.group(1)
    full = await client.get(job_url, headers=ENGLISH)
    assert "<html" in full.text and 'id="imported-board"' in full.text

    imported = (await client.get(f"/api/v1/boards/{slug}", headers=auth)).json()
    assert [c["title"] for c in imported["columns"]] == ["Todo", "In Progress", "Done"]
    assert [c["title"] for c in imported["columns"][0]["cards"]] == ["Write code", "Review code"]
    assert (await client.get(f"/b/{slug}/manage")).status_code == 200  # its facilitator
    events = (await client.get(f"/api/v1/boards/{slug}/events?after=0", headers=auth)).json()
    assert [e["type"] for e in events["events"]] == ["board.imported"]
    assert set(events["events"][0]["data"]) == {"source", "columns", "cards", "labels"}

    # Again: the board made the first time is updated, nothing is added.
    before = await visible_slugs(client, auth)
    again = await finished(client, (await upload(client, board.slug, WEKAN)).headers["location"])
    assert f"({slug}) updated." in again and "(0 new, 0 changed)" in again
    assert await visible_slugs(client, auth) == before

    # Someone who does not facilitate that board cannot update it by uploading the same file.
    stranger = await make_user(db)
    own = await make_board(db, facilitator=stranger)
    async with httpx.AsyncClient(base_url=client.base_url, timeout=20) as other:
        await signed_in(other, stranger)
        refused = await finished(other, (await upload(other, own.slug, WEKAN)).headers["location"])
        assert 'role="alert"' in refused and "which you do not facilitate" in refused
        assert (await other.get(job_url)).status_code == 404  # not their job
    assert [c["title"] for c in imported["columns"]] == [
        c["title"]
        for c in (await client.get(f"/api/v1/boards/{slug}", headers=auth)).json()["columns"]
    ]


async def test_import_into_the_board_being_managed(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Déjà là")
    await make_card(db, board, column, facilitator, title="Existante")
    await signed_in(client, facilitator)
    response = await upload(client, board.slug, DECK, target="this")
    page = await finished(client, response.headers["location"])
    assert f"({board.slug}) updated." in page
    document = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert [(c["title"], [card["title"] for card in c["cards"]]) for c in document["columns"]] == [
        ("Déjà là", ["Existante"]),
        ("TODO", ["Name Card 7"]),
    ]


async def test_wrong_files_and_wrong_people_are_refused_and_nothing_is_written(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    admin = await bearer(db, await make_user(db, admin=True))
    before = await visible_slugs(client, admin)

    visitor = await upload(client, board.slug, WEKAN)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    participant = await make_member(db, board, Role.participant)
    async with httpx.AsyncClient(base_url=client.base_url, timeout=20) as other:
        await signed_in(other, participant)
        assert (await upload(other, board.slug, WEKAN)).status_code == 403

    await signed_in(client, facilitator)
    cases = {
        b"pas du JSON": "The file is not JSON",
        WEKAN[:5000]: "The file ends too early",
        json.dumps({"format": "toolbox-backup"}).encode(): "This is not a Trello board export",
    }
    for content, message in cases.items():
        response = await upload(client, board.slug, content)
        assert response.status_code == 422, response.text
        assert message in response.text and 'id="import-form"' in response.text
    no_file = await client.post(
        f"/b/{board.slug}/import",
        data={"target": "new"},
        headers={**same_origin(client), **ENGLISH},
    )
    assert no_file.status_code == 422 and "Choose a Trello export" in no_file.text
    assert await visible_slugs(client, admin) == before


async def test_uploads_may_reach_fifty_megabytes_and_other_bodies_still_stop_at_one(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await signed_in(client, facilitator)
    big = copy.deepcopy(large_export(2_500_000, 1000))
    big["id"] = "a-board-of-two-megabytes"
    accepted = await upload(client, board.slug, json.dumps(big).encode())
    assert accepted.status_code == 303, accepted.text
    assert "The import is done." in await finished(client, accepted.headers["location"])

    too_big = await upload(client, board.slug, b" " * (50 * 1000 * 1000 + 100 * 1024))
    assert too_big.status_code == 413
    assert too_big.json()["error"]["message"] == "The file is too large (50 MB at most)."
    elsewhere = await client.post(
        f"/b/{board.slug}/columns",
        data={"title": "x" * (2 * 1024 * 1024)},
        headers=same_origin(client),
    )
    assert elsewhere.status_code == 413


async def test_exports_from_the_manage_page(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Guides")
    await make_card(db, board, column, facilitator, title="Métadonnées", labels=["Données"])
    csv = await client.get(f"/b/{board.slug}/export.csv")  # a public board: anyone
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("\ufeffcolumn,title,url,description,kind,languages,labels\r\n")
    assert "Guides,Métadonnées,,,other,,Données" in csv.text

    assert (await client.get(f"/b/{board.slug}/export.json")).status_code == 303  # sign in
    participant = await make_member(db, board, Role.participant)
    assert (
        await client.get(f"/b/{board.slug}/export.json", headers=await bearer(db, participant))
    ).status_code == 403
    backup = await client.get(f"/b/{board.slug}/export.json", headers=await bearer(db, facilitator))
    assert backup.status_code == 200 and "attachment" in backup.headers["content-disposition"]
    document = backup.json()
    assert document["format"] == "toolbox-backup" and document["cards"][0]["title"] == "Métadonnées"


async def test_no_exported_cell_is_a_formula_and_the_file_imports_back_as_it_was(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, '=HYPERLINK("https://evil.example")')
    risky = ["=1+1", "+33 1 23", "-2", "@SUM(A1)", "'=déjà cité", "sans risque"]
    for title in risky:
        await make_card(
            db, board, column, facilitator, title=title, description="- une liste", labels=["@x"]
        )
    answer = await client.get(f"/b/{board.slug}/export.csv")
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbfcolumn,title,")  # UTF-8 with its BOM
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["column", "title", "url", "description", "kind", "languages", "labels"]
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert len(rows) == 1 + len(risky)
    assert not [cell for cell in cells if cell[0] in "=+-@\t\r"]
    titles = [row[1] for row in rows[1:]]
    assert "'=1+1" in titles and "'-2" in titles and "''=déjà cité" in titles
    assert "sans risque" in titles and rows[1][0].startswith("'=HYPERLINK")
    assert {row[3] for row in rows[1:]} == {"'- une liste"}

    plan = read_csv(answer.content)  # the import takes the apostrophes off again
    assert plan.columns[0].title == '=HYPERLINK("https://evil.example")'
    assert sorted(card.title for card in plan.columns[0].cards) == sorted(risky)
    assert plan.columns[0].cards[0].description == "- une liste"
    assert [label.name for label in plan.labels] == ["@x"]


async def test_people_watching_the_board_see_the_import_arrive(
    db: Database, client: httpx.AsyncClient, server: LiveServer
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await signed_in(client, facilitator)
    base = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws"
    async with connect(f"{base}?format=json") as as_json, connect(base) as as_html:
        response = await upload(client, board.slug, DECK, target="this")
        await finished(client, response.headers["location"])
        async with asyncio.timeout(10):
            event = json.loads(await as_json.recv())
            while event["type"] == "presence":
                event = json.loads(await as_json.recv())
            # Counts only, the same for every audience: nothing private travels.
            assert event["type"] == "board.imported"
            assert event["data"] == {"source": "trello", "columns": 1, "cards": 1, "labels": 1}
            fragment = str(await as_html.recv())
            while "Name Card 7" not in fragment:  # the whole board, sent again
                fragment = str(await as_html.recv())


async def test_an_import_whose_server_stopped_says_so_instead_of_waiting_forever(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    async with db.write() as session:
        session.add(
            ImportJob(
                id="0" * 31 + "1",
                board_id=board.id,
                user_id=facilitator.id,
                filename="export.json",
                status=JobStatus.running,
                created_at=utcnow() - timedelta(hours=1),
            )
        )
    await signed_in(client, facilitator)
    page = await client.get(f"/b/{board.slug}/import/{'0' * 31}1", headers=ENGLISH)
    assert page.status_code == 200 and "hx-trigger" not in page.text
    assert 'role="alert"' in page.text and "the server stopped during it" in page.text


async def test_comments_are_kept_as_history_notes_for_the_facilitators(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    export = json.loads(WEKAN)
    export["id"] = "a-board-with-comments"
    export["actions"].append(
        {
            "id": "comment-1",
            "type": "commentCard",
            "date": "2021-01-05T12:00:00.000Z",
            "data": {
                "text": "À **relire** avant l’atelier",
                "card": {"id": export["cards"][2]["id"]},
            },
            "memberCreator": {"fullName": "Camille Trello", "username": "camille"},
        }
    )
    await signed_in(client, facilitator)
    response = await upload(client, board.slug, json.dumps(export).encode(), target="this")
    assert "History notes (comments): 1." in await finished(client, response.headers["location"])
    notes = await client.get(f"/b/{board.slug}/notes", headers=ENGLISH)
    assert notes.status_code == 200
    assert "Visualize code" in notes.text and "Camille Trello" in notes.text
    assert "À <strong>relire</strong> avant l’atelier" in notes.text
    participant = await make_member(db, board, Role.participant)
    assert (
        await client.get(f"/b/{board.slug}/notes", headers=await bearer(db, participant))
    ).status_code == 403
