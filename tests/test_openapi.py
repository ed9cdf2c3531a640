"""The OpenAPI document against the route table it is generated from, and against DESIGN.md §6."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from starlette.routing import BaseRoute, Mount, Route

from toolbox.openapi import ApiRoute, api_routes, openapi_document
from toolbox.routes import routes

DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def served(table: list[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every route the router serves under /api/v1, documented or not."""
    operations = set()
    for path, route in api_routes(table):
        for method in (route.methods or set()) & METHODS:
            operations.add((method.lower(), re.sub(r"{(\w+):\w+}", r"{\1}", path)))
    return operations


def documented(table: list[BaseRoute]) -> set[tuple[str, str]]:
    paths = openapi_document(table)["paths"]
    return {(method, path) for path, item in paths.items() for method in item}


def test_every_api_route_of_the_table_is_in_the_document() -> None:
    table = routes()
    assert len(served(table)) == 37
    assert served(table) == documented(table)


def test_a_route_added_without_its_operation_is_missing_from_the_document() -> None:
    """The check above can fail: a plain `Route` under /api/v1 is served but not documented."""
    table = routes()
    api = table[0]
    assert isinstance(api, Mount) and api.path == "/api/v1"
    api.routes.append(Route("/boards/{slug}/rooms", lambda request: None, methods=["GET"]))
    assert served(table) - documented(table) == {("get", "/api/v1/boards/{slug}/rooms")}


def test_every_api_route_of_the_design_that_the_code_serves_is_documented() -> None:
    """DESIGN.md §6 lists the public API: every route of it is served and documented."""
    design = DESIGN.read_text(encoding="utf-8")
    contract = set()
    for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^` ?]+)", design):
        contract.add((method.lower(), path))
    for method, rest in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) …(/[^` ]+)`", design):
        contract.add((method.lower(), "/api/v1/cards/{id}" + rest))
    not_yet: set[tuple[str, str]] = set()
    assert ("put", "/api/v1/cards/{id}/favourite") in contract
    assert len(contract) > 30
    assert contract - not_yet - documented(routes()) == set()
    assert not_yet.isdisjoint(served(routes()))


def test_the_brigade_is_documented_with_its_models() -> None:
    document = openapi_document(routes())
    book = document["paths"]["/api/v1/slots/{id}/bookings"]["post"]
    assert book["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookingIn"
    }
    assert book["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookingOut"
    }
    create = document["paths"]["/api/v1/boards/{slug}/slots"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/SlotIn"},
            {"$ref": "#/components/schemas/GridIn"},
        ]
    }
    error = document["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["code", "message"]
    assert all(isinstance(r, ApiRoute) for _p, r in api_routes(routes()))


async def test_the_server_serves_the_generated_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi_document(routes())
