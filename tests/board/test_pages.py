"""The board's pages and forms, as a browser without JavaScript uses them."""

from __future__ import annotations

import httpx

from tests.factories import (
    make_board,
    make_card,
    make_column,
    make_member,
    make_user,
    origin,
    signed_in,
)
from toolbox.board.models import Role
from toolbox.board.search import LIMIT
from toolbox.db import Database


async def test_board_page_renders_columns_and_cards_in_order(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    first = await make_column(db, board, facilitator, "Se poser les bonnes questions")
    second = await make_column(db, board, facilitator, "Stratégie numérique")
    await make_card(db, board, first, facilitator, title="Autodiagnostic")
    await make_card(db, board, first, facilitator, title="Glossaire de poche", index=0)
    await make_card(db, board, second, facilitator, title="Plan d’action")
    page = (await client.get(f"/b/{board.slug}")).text
    # The columns themselves, after the menu that lists them.
    columns = page[page.index('id="columns"') :]
    positions = [
        columns.index(t)
        for t in (
            "Se poser",
            "Glossaire de poche",
            "Autodiagnostic",
            "Stratégie numérique",
            "Plan d’action",
        )
    ]
    assert positions == sorted(positions)
    assert "Ajouter une ressource" not in page  # visitors get no forms


async def test_card_page_sanitises_markdown_and_has_json_ld(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    card = await make_card(
        db,
        board,
        column,
        facilitator,
        title="Guide </script><b>",
        description="**Gras** <script>alert(1)</script> [lien](https://example.org) [x](javascript:alert(1))",
    )
    page = (await client.get(f"/b/{board.slug}/cards/{card.id}")).text
    assert "<strong>Gras</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">lien</a>' in page
    assert '"@type": "LearningResource"' in page or '"@type":"LearningResource"' in page
    assert "</script><b>" not in page.split('application/ld+json">', 1)[1].split("</script>", 1)[0]


async def test_facilitator_creates_card_with_form(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await signed_in(client, facilitator)
    response = await client.post(
        f"/b/{board.slug}/cards",
        data={
            "column_id": str(column.id),
            "title": "Gabarit CC",
            "url": "https://example.org/g",
            "languages": "fr, en",
            "labels": "Gabarit, Gratuit",
            "kind": "template",
        },
        headers=origin(client),
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/b/{board.slug}#card-")
    board_page = (await client.get(f"/b/{board.slug}")).text
    assert "Gabarit CC" in board_page and "Gratuit" in board_page


async def test_a_columns_tools_are_a_page_of_their_own_the_board_links_to(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await make_column(db, board, facilitator, "Première")
    column = await make_column(db, board, facilitator, "Deuxième <b>")
    other = await make_column(db, await make_board(db, facilitator=facilitator), facilitator)
    await signed_in(client, facilitator)
    board_page = (await client.get(f"/b/{board.slug}")).text
    tools = f"/b/{board.slug}/columns/{column.id}/edit"
    assert f'href="{tools}"' in board_page and f'href="/b/{board.slug}/columns/new"' in board_page
    assert 'name="title"' not in board_page.split('id="live"', 1)[1]  # no form until asked
    page = await client.get(tools)
    assert page.status_code == 200
    html = page.text
    assert f'id="column-tools-{column.id}"' in html and "Deuxième &lt;b&gt;" in html
    assert f'name="column_id" value="{column.id}"' in html  # add a resource to this column
    assert 'name="position" min="1" value="2"' in html  # its place, to move it
    assert f"/columns/{column.id}/archive" in html
    assert (await client.get(f"/b/{board.slug}/columns/{other.id}/edit")).status_code == 404
    new = await client.get(f"/b/{board.slug}/columns/new")
    assert new.status_code == 200 and f'action="/b/{board.slug}/columns"' in new.text


async def test_invalid_form_is_422_with_message_and_nothing_written(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await signed_in(client, facilitator)
    response = await client.post(
        f"/b/{board.slug}/cards",
        data={"column_id": str(column.id), "title": "Piège", "url": "javascript:alert(1)"},
        headers=origin(client),
    )
    assert response.status_code == 422
    assert "Le lien doit commencer par http:// ou https://." in response.text
    assert 'value="Piège"' in response.text  # what was typed is kept
    document = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert document["columns"][0]["cards"] == []


async def test_stale_edit_form_gets_409_with_newer_version(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    card = await make_card(db, board, column, facilitator, title="Première version")
    await signed_in(client, facilitator)
    fields = {"version": "1", "title": "Deuxième version", "kind": "other"}
    first = await client.post(
        f"/b/{board.slug}/cards/{card.id}/edit", data=fields, headers=origin(client)
    )
    assert first.status_code == 303
    stale = await client.post(
        f"/b/{board.slug}/cards/{card.id}/edit",
        data={**fields, "title": "Version concurrente"},
        headers=origin(client),
    )
    assert stale.status_code == 409
    assert "Deuxième version" in stale.text and "Version concurrente" in stale.text
    current = (await client.get(f"/api/v1/cards/{card.id}")).json()
    assert current["title"] == "Deuxième version" and current["version"] == 2


async def test_archive_and_restore_card_and_column(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Colonne à archiver")
    card = await make_card(db, board, column, facilitator, title="Carte à archiver")
    await signed_in(client, facilitator)
    assert (
        await client.post(f"/b/{board.slug}/cards/{card.id}/archive", headers=origin(client))
    ).status_code == 303
    assert "Carte à archiver" not in (await client.get(f"/b/{board.slug}")).text
    manage = (await client.get(f"/b/{board.slug}/manage")).text
    assert "Carte à archiver" in manage
    assert (
        await client.post(f"/b/{board.slug}/cards/{card.id}/restore", headers=origin(client))
    ).status_code == 303
    assert "Carte à archiver" in (await client.get(f"/b/{board.slug}")).text
    assert (
        await client.post(f"/b/{board.slug}/columns/{column.id}/archive", headers=origin(client))
    ).status_code == 303
    assert "Colonne à archiver" not in (await client.get(f"/b/{board.slug}")).text
    assert (
        await client.post(f"/b/{board.slug}/columns/{column.id}/restore", headers=origin(client))
    ).status_code == 303
    assert "Colonne à archiver" in (await client.get(f"/b/{board.slug}")).text


async def test_participant_sees_no_forms_and_cannot_post(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    participant = await make_member(db, board, Role.participant)
    await signed_in(client, participant)
    page = (await client.get(f"/b/{board.slug}")).text
    assert "Ajouter une ressource" not in page and "Options de la colonne" not in page
    assert (await client.get(f"/b/{board.slug}/columns/{column.id}/edit")).status_code == 403
    response = await client.post(
        f"/b/{board.slug}/cards",
        data={"column_id": str(column.id), "title": "Non"},
        headers=origin(client),
    )
    assert response.status_code == 403
    assert (await client.get(f"/b/{board.slug}/manage")).status_code == 403


async def test_unknown_board_and_card_are_404_in_the_readers_language(
    db: Database, client: httpx.AsyncClient
) -> None:
    french = await client.get("/b/nulle-part")
    assert french.status_code == 404 and "Il n’y a pas de tableau à cette adresse." in french.text
    english = await client.get("/b/nowhere", headers={"Accept-Language": "en-CA,en;q=0.9"})
    assert english.status_code == 404 and "There is no board at this address." in english.text
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    assert (await client.get(f"/b/{board.slug}/cards/999999")).status_code == 404
    assert (await client.get(f"/b/{board.slug}/cards/abc")).status_code == 404


async def test_search_box_filters_the_board(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(
        db, board, column, facilitator, title="Métadonnées culturelles", languages=["fr"]
    )
    await make_card(db, board, column, facilitator, title="Billetterie partagée", languages=["en"])
    page = (await client.get(f"/b/{board.slug}", params={"q": "metadonnee"})).text
    assert "<mark>Métadonnées</mark> culturelles" in page and "Billetterie partagée" not in page
    by_language = (await client.get(f"/b/{board.slug}", params={"lang": "en"})).text
    assert "Billetterie partagée" in by_language and "Métadonnées culturelles" not in by_language


async def test_the_search_box_answers_as_one_types_with_the_results_alone(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title="Stratégie numérique")
    await make_card(db, board, column, facilitator, title="Billetterie partagée")
    page = (await client.get(f"/b/{board.slug}")).text
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'id="board-results"' in page and 'id="search-status"' in page

    typing = {"HX-Request": "true", "HX-Target": "board-results", "HX-Current-URL": "x"}
    partial = await client.get(f"/b/{board.slug}", params={"q": "strat"}, headers=typing)
    assert partial.status_code == 200 and "HX-Target" in partial.headers["vary"]
    assert "<html" not in partial.text and 'id="live"' not in partial.text
    assert partial.text.lstrip().startswith('<div id="board-results">')
    assert "<mark>Stratégie</mark> numérique" in partial.text and "Billetterie" not in partial.text
    assert '<p id="search-status">1 ressource trouvée</p>' in partial.text

    # Kept for the board's audience until the next change, as the page is.
    again = {**typing, "If-None-Match": partial.headers["etag"]}
    assert (
        await client.get(f"/b/{board.slug}", params={"q": "strat"}, headers=again)
    ).status_code == 304
    await make_card(db, board, column, facilitator, title="Stratégies locales")
    changed = await client.get(f"/b/{board.slug}", params={"q": "strat"}, headers=again)
    assert changed.status_code == 200 and "<mark>Stratégies</mark> locales" in changed.text

    # Emptied, the box brings the live board back: the whole page, from which htmx takes it.
    cleared = await client.get(f"/b/{board.slug}", params={"q": " "}, headers=typing)
    assert "<html" in cleared.text and 'id="live"' in cleared.text
    # A boosted form or link sends HX-Request too, and wants the whole page.
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    full = await client.get(f"/b/{board.slug}", params={"q": "strat"}, headers=boosted)
    assert "<html" in full.text and "<mark>Stratégie</mark> numérique" in full.text


async def test_a_search_that_most_cards_match_shows_the_best_and_says_so(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    for n in range(LIMIT + 2):
        await make_card(db, board, column, facilitator, title=f"Fiche pratique {n}")
    page = (await client.get(f"/b/{board.slug}", params={"q": "fiche"})).text
    assert f"{LIMIT + 2} ressources trouvées" in page
    assert f"Les {LIMIT} meilleures sont affichées" in page
    assert page.count('class="card-title"') == LIMIT
    api = await client.get(f"/api/v1/boards/{board.slug}/search", params={"q": "fiche"})
    assert len(api.json()["results"]) == LIMIT
    assert api.json()["total"] == LIMIT + 2


async def test_members_only_board_page_sends_visitors_to_sign_in(
    db: Database, client: httpx.AsyncClient
) -> None:
    board = await make_board(db, public=False, facilitator=await make_user(db))
    response = await client.get(f"/b/{board.slug}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/b/{board.slug}"


async def test_a_shared_search_address_keeps_its_filters_and_bad_input_finds_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    guides = await make_column(db, board, facilitator, "Guides")
    tools = await make_column(db, board, facilitator, "Outils")
    await make_card(
        db,
        board,
        guides,
        facilitator,
        title="Guide <script>x</script> des données",
        kind="guide",
        audiences=["musées"],
        languages=["fr"],
    )
    await make_card(db, board, tools, facilitator, title="Outil de données", kind="tool")
    address = f"/b/{board.slug}?q=donnees&column={guides.id}&kind=guide&lang=fr&audience=musées&sort=newest"
    page = (await client.get(address)).text
    results = page.split('id="results-title"', 1)[1]
    assert "Guide &lt;script&gt;x&lt;/script&gt; des <mark>données</mark>" in results
    assert "Outil de" not in results and "<script>x" not in page
    # The form says the view it shows, so that it can be changed and shared again.
    assert f'<option value="{guides.id}" selected>' in page
    assert '<option value="guide" selected>' in page and '<option value="newest" selected>' in page
    assert "<option selected>musées</option>" in page
    for bad in (
        {"q": "x" * 500},
        {"q": '"*:(-) NEAR AND'},
        {"q": " "},
        {"column": "abc"},
        {"kind": "poem", "lang": "zz", "label": "absent", "audience": "?"},
        {"sort": "random"},
    ):
        answer = await client.get(f"/b/{board.slug}", params=bad)
        assert answer.status_code == 200, bad
    api = await client.get(
        f"/api/v1/boards/{board.slug}/search", params={"q": "donnees", "column": str(tools.id)}
    )
    assert [card["title"] for card in api.json()["results"]] == ["Outil de données"]
