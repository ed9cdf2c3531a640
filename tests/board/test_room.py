"""`/b/{slug}/room`: the board for the projector, with a QR code of its address from
TOOLBOX_BASE_URL, kept like the board page and closed to whoever may not read the board."""

from __future__ import annotations

import httpx

from tests.board.conftest import BASE_URL
from tests.factories import make_board, make_card, make_column, make_user
from toolbox.board.room import qr_code
from toolbox.db import Database


async def test_the_room_shows_the_columns_and_a_qr_code_of_the_boards_address(
    db: Database, reader: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Stratégie <numérique>")
    await make_card(db, board, column, facilitator, title="Plan d’action")
    answer = await reader.get(f"/b/{board.slug}/room")
    assert answer.status_code == 200
    page = answer.text
    address = f"{BASE_URL}/b/{board.slug}"
    assert str(qr_code(address)) in page  # the code of the configured address, drawn in the page
    assert f'<span class="room-url">{address}</span>' in page
    assert "Stratégie &lt;numérique&gt;" in page and "Plan d’action" in page
    assert 'ws-connect="/b/' in page and "/static/room." in page.split("</main>")[1]
    again = await reader.get(
        f"/b/{board.slug}/room", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304

    closed = await make_board(db, public=False, facilitator=facilitator)
    refused = await reader.get(f"/b/{closed.slug}/room", headers={"Accept-Language": "en"})
    assert refused.status_code in {303, 401} and "room-url" not in refused.text
