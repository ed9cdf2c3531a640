"""Six facilitators curating one board at the same moment, each editing and moving the same
cards between two columns, on a real server and both databases: every answer is a 200 or a
clean 409 (someone edited first), never a 5xx (on PostgreSQL an edit and a move once locked the
card and the board in opposite orders, and deadlocked), and every card ends once on the board."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx

from tests.factories import bearer, make_board, make_card, make_column, make_user
from toolbox.board.ordering import order_check
from toolbox.db import Database

CURATORS = 6
ROUNDS = 12


async def test_concurrent_edits_and_moves_never_fail(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    columns = [await make_column(db, board, facilitator, title) for title in ("Outils", "Guides")]
    cards = [
        await make_card(db, board, columns[n % 2], facilitator, title=f"Ressource {n}")
        for n in range(4)
    ]
    auth = await bearer(db, facilitator)
    statuses: Counter[int] = Counter()

    async def curator(seed: int) -> None:
        chance = random.Random(seed)
        for n in range(ROUNDS):
            card = chance.choice(cards)
            if chance.random() < 0.5:
                current = await client.get(f"/api/v1/cards/{card.id}", headers=auth)
                answer = await client.patch(
                    f"/api/v1/cards/{card.id}",
                    json={
                        "title": f"Ressource {card.id}.{seed}.{n}",
                        "version": current.json()["version"],
                    },
                    headers=auth,
                )
            else:
                answer = await client.post(
                    f"/api/v1/cards/{card.id}/move",
                    json={"column_id": chance.choice(columns).id, "index": chance.randrange(3)},
                    headers=auth,
                )
            statuses[answer.status_code] += 1

    await asyncio.gather(*(curator(seed) for seed in range(CURATORS)))
    assert set(statuses) <= {200, 409}, statuses
    assert statuses[200] > 0
    document = (await client.get(f"/api/v1/boards/{board.slug}", headers=auth)).json()
    on_board = [c["id"] for column in document["columns"] for c in column["cards"]]
    assert sorted(on_board) == sorted(card.id for card in cards)
    # Each change that went through has its own event, numbered without a gap or a repeat (a
    # move takes its event's seq with the board's lock).
    log = (await client.get(f"/api/v1/boards/{board.slug}/events", headers=auth)).json()
    seqs = [event["seq"] for event in log["events"]]
    assert seqs == list(range(1, log["seq"] + 1))
    assert (
        sum(event["type"] in {"card.moved", "card.updated"} for event in log["events"])
        == (statuses[200])
    )


async def test_concurrent_moves_each_see_the_ones_before_them(
    db: Database, client: httpx.AsyncClient
) -> None:
    """Moves through the API and the board's form at once: each reads the columns under the
    board's lock (on PostgreSQL after the statement that took it), so replaying the log in its
    order gives, at each move, the order its event checked."""
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    columns = [await make_column(db, board, facilitator, title) for title in ("Outils", "Guides")]
    for n in range(6):
        await make_card(db, board, columns[n % 2], facilitator, title=f"Ressource {n}")
    auth = await bearer(db, facilitator)
    document = (await client.get(f"/api/v1/boards/{board.slug}", headers=auth)).json()
    order = {
        column["id"]: [card["id"] for card in column["cards"]] for column in document["columns"]
    }
    cards = [card for ids in order.values() for card in ids]
    start = document["seq"]

    async def curator(seed: int) -> None:
        chance = random.Random(seed)
        for _ in range(ROUNDS):
            card_id, column = chance.choice(cards), chance.choice(columns)
            index = chance.randrange(4)
            if chance.random() < 0.5:
                answer = await client.post(
                    f"/api/v1/cards/{card_id}/move",
                    json={"column_id": column.id, "index": index},
                    headers=auth,
                )
            else:
                answer = await client.post(
                    f"/b/{board.slug}/cards/{card_id}/move",
                    data={"column_id": str(column.id), "position": str(index + 1)},
                    headers={**auth, "HX-Request": "true"},
                )
            assert answer.status_code < 300, answer.text

    await asyncio.gather(*(curator(seed) for seed in range(CURATORS)))
    log = (await client.get(f"/api/v1/boards/{board.slug}/events?after={start}")).json()
    assert [event["seq"] for event in log["events"]] == list(range(start + 1, log["seq"] + 1))
    assert len(log["events"]) == CURATORS * ROUNDS
    for event in log["events"]:
        moved = event["data"]
        order[moved["from_column_id"]].remove(moved["card_id"])
        order[moved["column_id"]].insert(moved["index"], moved["card_id"])
        assert moved["order"] == order_check(order[moved["column_id"]]), event["seq"]
        assert moved["from_order"] == order_check(order[moved["from_column_id"]]), event["seq"]
    document = (await client.get(f"/api/v1/boards/{board.slug}", headers=auth)).json()
    assert {
        column["id"]: [card["id"] for card in column["cards"]] for column in document["columns"]
    } == order
