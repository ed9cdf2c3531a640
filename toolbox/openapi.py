"""The OpenAPI 3.1 document of `/api/v1`, generated from the route table.

Each API route is an `ApiRoute`: a Starlette `Route` for one method that also carries its
`Operation` (summary, the pydantic models of its body and of its answer, its query parameters).
`openapi_document` walks the app's routes and asks pydantic for the schemas
(`model_json_schema`): the models that check the input are the ones documented, so the two
cannot drift, and a route added without an `Operation` cannot be added at all.

Why not a library: Starlette's `SchemaGenerator` reads YAML out of docstrings (a second copy of
the models, by hand), and apispec or spectree would bring a plugin layer for what is, with
pydantic's own JSON Schema, a hundred lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from toolbox.validation import DB_INT_MAX
from toolbox.web import json_response

API_PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
# The identifiers of rows: `int_param` answers a 404 for anything else.
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every error: `{"error": {...}}`, the message in the request's language; a 409 on a stale
    version adds the `current` document."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail
    current: dict[str, Any] | None = None


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    summary: str
    response: type[BaseModel]
    status: int = 200
    # Several models for one body (a slot or a grid of slots) become a `oneOf`.
    body: tuple[type[BaseModel], ...] = ()
    query: dict[str, dict[str, Any]] = field(default_factory=dict)


class ApiRoute(Route):
    """One method of one API path, with what the OpenAPI document says of it."""

    def __init__(
        self,
        method: str,
        path: str,
        endpoint: Callable[..., Any],
        operation: Operation,
        *,
        name: str | None = None,
    ) -> None:
        super().__init__(path, endpoint, methods=[method], name=name)
        self.method = method.lower()
        self.operation = operation


def api_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """Every (full path, route) under `API_PREFIX`, whether it documents itself or not."""
    for route in routes:
        if isinstance(route, Mount):
            yield from api_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route) and (prefix + route.path).startswith(API_PREFIX):
            yield prefix + route.path, route


def _parameters(path: str, query: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": ID_SCHEMA if name == "id" else {"type": "string", "pattern": "^[^/]+$"},
        }
        for name in PATH_PARAMETER.findall(path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in query.items()
    ]
    return parameters


class _Schemas:
    """The components/schemas section, filled as the operations name their models."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: str) -> dict[str, str]:
        schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        self.schemas.update(schema.pop("$defs", {}))
        self.schemas[model.__name__] = schema
        return {"$ref": REF.format(model=model.__name__)}


def _operation(route: ApiRoute, path: str, schemas: _Schemas) -> dict[str, Any]:
    spec = route.operation
    error = {
        "description": "An error, its message in the request's language",
        "content": {"application/json": {"schema": schemas.ref(ErrorBody, "serialization")}},
    }
    document: dict[str, Any] = {
        "operationId": route.name,
        "summary": spec.summary,
        "parameters": _parameters(path, spec.query),
        "responses": {
            str(spec.status): {
                "description": spec.summary,
                "content": {
                    "application/json": {"schema": schemas.ref(spec.response, "serialization")}
                },
            },
            "default": error,
        },
    }
    if spec.body:
        bodies = [schemas.ref(model, "validation") for model in spec.body]
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": bodies[0] if len(bodies) == 1 else {"oneOf": bodies}}
            },
        }
    return document


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for path, route in api_routes(routes):
        if isinstance(route, ApiRoute):
            operation = _operation(route, path, schemas)
            paths.setdefault(PATH_PARAMETER.sub(r"{\1}", path), {})[route.method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Toolbox API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas.schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}, {}],
    }


async def openapi(request: Request) -> Response:
    # The table does not change while the app runs: build the document once.
    document = getattr(request.app.state, "openapi", None)
    if document is None:
        document = request.app.state.openapi = openapi_document(request.app.routes)
    return json_response(document)
