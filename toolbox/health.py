"""For load balancers and orchestrators (DESIGN.md §3): `/healthz`, the process answers;
`/readyz`, the database and the bus answer too, so that a process cut off from either is taken
out of rotation rather than sent people whose changes it cannot save or share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from sqlalchemy import Select, literal_column, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from toolbox.web import database

log = logging.getLogger(__name__)

#: Longer than this, a dependency counts as not answering.
CHECK_SECONDS = 2.0
_PING: Select[tuple[int]] = select(literal_column("1"))
_NOT_KEPT = {"Cache-Control": "no-store"}


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers=_NOT_KEPT)


async def readyz(request: Request) -> Response:
    checks = {
        "database": _answers(database(request).first_row(_PING)),
        "bus": _answers(request.app.state.hub.bus.ping()),
    }
    results = dict(zip(checks, await asyncio.gather(*checks.values()), strict=True))
    ready = all(result == "ok" for result in results.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **results},
        status_code=200 if ready else 503,
        headers=_NOT_KEPT,
    )


async def _answers(check: Awaitable[object]) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await check
    except Exception as error:  # whatever the dependency raised, it is not ready
        log.warning("readiness: %s", error)
        return "unavailable"
    return "ok"
