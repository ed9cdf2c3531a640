"""schemathesis against the document a real server serves: for every operation, requests made
from its schemas (valid and not) get no server error and no answer that breaks its schema.

The server has a database of its own, so that what the fuzzing archives, cancels and creates
touches no other test; the path parameters point at the rows made here, so that most requests
reach the services as an admin who facilitates the board rather than stopping at a 404.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.accounts.builders import new_api_token, new_person
from tests.board.builders import new_board, new_card, new_column, new_member
from tests.brigade.builders import new_booking, new_slot
from tests.servers import LiveServer, migrated_database
from toolbox.board.models import Role
from toolbox.db import Database
from toolbox.openapi import openapi_document
from toolbox.routes import routes

# Per operation; 25 keeps the run under a minute. Hunt with more: TOOLBOX_FUZZ_EXAMPLES=500.
EXAMPLES = int(os.environ.get("TOOLBOX_FUZZ_EXAMPLES", "25"))
LAST_ID = 12  # the rows made below have ids from 1 up to about this
OPERATIONS = [
    (method, path) for path, item in openapi_document(routes())["paths"].items() for method in item
]


@dataclass(frozen=True)
class Target:
    url: str
    headers: dict[str, str]
    schema: schemathesis.BaseSchema


async def _rows(url: str) -> tuple[str, str]:
    """A board with columns, cards, an expert's slots and a booking; (its slug, an admin's token)."""
    db = Database(url)
    try:
        async with db.write() as session:
            admin = await new_person(session, admin=True)
            board = await new_board(session, facilitator=admin)
            for _ in range(2):
                column = await new_column(session, board, admin)
                for _ in range(3):
                    await new_card(session, board, column, admin)
            expert = await new_member(session, board, Role.expert)
            participant = await new_member(session, board, Role.participant)
            for days in (2, 3, 4):
                slot = await new_slot(
                    session, board, admin, starts_in=timedelta(days=days), expert=expert, capacity=3
                )
            await new_slot(session, board, admin, starts_in=timedelta(days=5))
            await new_booking(session, board, slot, participant)
            return board.slug, await new_api_token(session, admin)
    finally:
        await db.dispose()


def _aimed(document: dict[str, Any], slug: str) -> dict[str, Any]:
    """The document with its slugs and ids aimed, half of the time, at the rows made here."""
    document = copy.deepcopy(document)
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation["parameters"]:
                if parameter["in"] == "path" and parameter["name"] == "slug":
                    parameter["schema"] = {"anyOf": [{"enum": [slug]}, parameter["schema"]]}
                elif parameter["in"] == "path" and parameter["name"] == "id":
                    rows = {"type": "integer", "minimum": 1, "maximum": LAST_ID}
                    parameter["schema"] = {"anyOf": [rows, parameter["schema"]]}
    return document


@pytest.fixture(scope="module")
async def target(backend: str) -> AsyncIterator[Target]:
    admin_url = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")
    with tempfile.TemporaryDirectory(prefix="toolbox-fuzz-") as directory:
        async with migrated_database(backend, directory, admin_url) as url:
            slug, token = await _rows(url)
            server = LiveServer(url)
            server.start()
            try:
                async with httpx.AsyncClient(base_url=server.url) as client:
                    served = (await client.get("/api/v1/openapi.json")).json()
                schema = schemathesis.openapi.from_dict(_aimed(served, slug))
                yield Target(server.url, {"Authorization": f"Bearer {token}"}, schema)
            finally:
                server.stop()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_error_and_every_answer_matches_its_schema(
    target: Target, method: str, path: str
) -> None:
    operation = target.schema[path][method.upper()]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=target.url,
            headers=target.headers,
            checks=[not_a_server_error, response_schema_conformance],
            timeout=10,
        )

    check()
