"""The contention bench's baseline (bench/contention.py): a bare Starlette handler that takes a
seat with the same conditional UPDATE as the app (`toolbox.brigade.bookings`), through the same
`Database.write()` (SQLite's one writer, PostgreSQL's pool), on the same database, under the same
uvicorn. No sign-in, no board, no booking row, no event, no broadcast: what is left of the app's
p99 once divided by this one is the app's own work, not the database's or the server's.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from toolbox.brigade.models import Slot
from toolbox.db import Database, utcnow

DATABASE: list[Database] = []


async def book(request: Request) -> JSONResponse:
    await request.body()
    async with DATABASE[0].write() as session:
        taken = await session.execute(
            update(Slot)
            .where(
                Slot.id == int(request.path_params["id"]),
                Slot.seats_taken < Slot.capacity,
                Slot.expert_id.is_not(None),
                Slot.cancelled_at.is_(None),
                Slot.starts_at > utcnow(),
            )
            .values(seats_taken=Slot.seats_taken + 1, sequence=Slot.sequence + 1)
            .execution_options(synchronize_session=False)
        )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return JSONResponse({"error": {"code": "slot_full"}}, status_code=409)
    return JSONResponse({"status": "active"}, status_code=201)


async def ready(request: Request) -> JSONResponse:
    return JSONResponse([])  # the harness's readiness probe asks for /api/v1/boards


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    DATABASE.append(Database(os.environ["TOOLBOX_DATABASE_URL"]))
    yield
    await DATABASE.pop().dispose()


app = Starlette(
    routes=[
        Route("/api/v1/slots/{id:int}/bookings", book, methods=["POST"]),
        Route("/api/v1/boards", ready),
    ],
    lifespan=lifespan,
)
