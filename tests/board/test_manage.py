"""The manage page: the history in sentences (who, when), paged and filtered; undo after an
archive. Through a real server, as a browser without JavaScript uses it."""

from __future__ import annotations

import re

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
from toolbox.board.history import PAGE_SIZE
from toolbox.board.models import Role
from toolbox.db import Database


async def test_the_history_says_who_did_what_and_when(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Stratégie")
    await make_card(db, board, column, facilitator, title="Guide des métadonnées")
    expert = await make_member(db, board, Role.participant)
    await signed_in(client, facilitator)
    await client.post(
        f"/b/{board.slug}/members/{expert.id}/role",
        data={"role": "expert"},
        headers=origin(client),
    )
    page = (await client.get(f"/b/{board.slug}/manage")).text
    history = page[page.index('id="history"') :]
    name = facilitator.display_name
    assert f"Carte « Guide des métadonnées » ajoutée par {name}" in history
    assert f"Colonne « Stratégie » ajoutée par {name}" in history
    assert f"{name} a donné le rôle expert à {expert.display_name}" in history
    # When: how long ago, and the exact moment beside it.
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">il y a \d+ secondes?</time>', history)
    assert "card.created" not in history and "member.updated" not in history


async def test_the_history_is_paged_and_filtered_by_kind(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Colonne")
    for n in range(PAGE_SIZE + 2):
        await make_card(db, board, column, facilitator, title=f"Ressource numéro {n}")
    await signed_in(client, facilitator)
    first = (await client.get(f"/b/{board.slug}/manage")).text
    assert "Ressource numéro 26" in first and "Ressource numéro 0" not in first
    assert "Page 1 sur 2" in first
    second = (await client.get(f"/b/{board.slug}/manage?page=2")).text
    assert "Ressource numéro 0" in second and "Ressource numéro 26" not in second
    columns = (await client.get(f"/b/{board.slug}/manage?kind=column")).text
    history = columns[columns.index('id="history"') :]
    assert "Colonne « Colonne » ajoutée" in history and "Ressource numéro" not in history
    assert "Page 1 sur" not in history  # one page
    # A page or kind out of range is the nearest sensible one, never an error.
    assert (await client.get(f"/b/{board.slug}/manage?page=99&kind=nope")).status_code == 200


async def test_an_archive_is_offered_back(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Colonne gardée")
    card = await make_card(db, board, column, facilitator, title="Carte à défaire")
    await signed_in(client, facilitator)
    archived = await client.post(f"/b/{board.slug}/cards/{card.id}/archive", headers=origin(client))
    assert archived.status_code == 303
    page = (await client.get(archived.headers["location"])).text
    assert "« Carte à défaire » est archivée." in page
    undo = re.search(r'action="([^"]+)"><button type="submit">Annuler : la restaurer', page)
    assert undo is not None
    assert (await client.post(undo.group(1), headers=origin(client))).status_code == 303
    assert "Carte à défaire" in (await client.get(f"/b/{board.slug}")).text


async def test_the_label_manager_makes_renames_recolours_and_deletes(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Colonne")
    await make_card(db, board, column, facilitator, title="Guide", labels=["Gratuit"])
    await signed_in(client, facilitator)
    manage = f"/b/{board.slug}/manage"
    page = (await client.get(manage)).text
    assert '<span class="label label-green">Gratuit</span>' in page and "1 ressource" in page
    gratuit = re.search(r'action="(/b/[^"]+/labels/(\d+)/edit)"', page)
    assert gratuit is not None

    made = await client.post(
        f"/b/{board.slug}/labels",
        data={"name": "Débutant", "colour": "green"},
        headers=origin(client),
    )
    assert made.status_code == 303
    twice = await client.post(
        f"/b/{board.slug}/labels",
        data={"name": "débutant", "colour": "red"},
        headers=origin(client),
    )
    assert twice.status_code == 409 and "déjà une étiquette de ce nom" in twice.text
    wrong = await client.post(
        f"/b/{board.slug}/labels",
        data={"name": "Rose", "colour": "#ff00ff"},
        headers=origin(client),
    )
    assert wrong.status_code == 422 and "couleurs de la palette" in wrong.text

    renamed = await client.post(
        gratuit.group(1), data={"name": "Libre d’accès", "colour": "sky"}, headers=origin(client)
    )
    assert renamed.status_code == 303
    board_page = (await client.get(f"/b/{board.slug}")).text
    assert '<span class="label label-sky">Libre d’accès</span>' in board_page
    assert "Gratuit" not in board_page
    found = (await client.get(f"/api/v1/boards/{board.slug}/search", params={"q": "libre"})).json()
    assert [card["title"] for card in found["results"]] == ["Guide"]

    deleted = await client.post(
        f"/b/{board.slug}/labels/{gratuit.group(2)}/delete", headers=origin(client)
    )
    assert deleted.status_code == 303
    assert "Libre d’accès" not in (await client.get(f"/b/{board.slug}")).text
    found = (await client.get(f"/api/v1/boards/{board.slug}/search", params={"q": "libre"})).json()
    assert found["results"] == []
    history = (await client.get(f"{manage}?kind=label")).text
    name = facilitator.display_name
    assert f"Étiquette « Libre d’accès » supprimée par {name}" in history
    assert f"Étiquette « Libre d’accès » modifiée par {name}" in history
    assert f"Étiquette « Débutant » ajoutée par {name}" in history
