"""The OpenAPI document of `/api/v1`, built from the same pydantic models that check the input."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from toolbox.board.schemas import (
    BoardIn,
    CardIn,
    CardPatch,
    ColumnIn,
    ColumnPatch,
    MoveCard,
    MoveColumn,
)
from toolbox.web import json_response

Operation = tuple[str, str, str, type[BaseModel] | None, int]

OPERATIONS: list[Operation] = [
    ("get", "/boards", "Boards the caller can see", None, 200),
    ("post", "/boards", "Create a board (admin)", BoardIn, 201),
    ("get", "/boards/{slug}", "A board with its columns and cards in order", None, 200),
    ("post", "/boards/{slug}/columns", "Add a column (facilitator)", ColumnIn, 201),
    ("patch", "/columns/{id}", "Edit a column (facilitator)", ColumnPatch, 200),
    ("post", "/columns/{id}/move", "Move a column to an index (facilitator)", MoveColumn, 200),
    ("delete", "/columns/{id}", "Archive a column (facilitator)", None, 200),
    ("post", "/boards/{slug}/cards", "Add a card (facilitator)", CardIn, 201),
    ("get", "/cards/{id}", "One card, with its version", None, 200),
    ("patch", "/cards/{id}", "Edit a card; a stale version is 409", CardPatch, 200),
    ("post", "/cards/{id}/move", "Move a card to a column and index", MoveCard, 200),
    ("delete", "/cards/{id}", "Archive a card (facilitator)", None, 200),
    ("post", "/cards/{id}/restore", "Restore an archived card (facilitator)", None, 200),
    (
        "get",
        "/boards/{slug}/search",
        "Search a board's resources (q, label, kind, lang)",
        None,
        200,
    ),
    ("get", "/boards/{slug}/events", "Events after a seq, as the caller may see them", None, 200),
]

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
            "required": ["code", "message"],
        }
    },
}


def _parameters(path: str) -> list[dict[str, Any]]:
    parameters = []
    for name in ("slug", "id"):
        if "{" + name + "}" in path:
            schema = {"type": "integer"} if name == "id" else {"type": "string"}
            parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for method, path, summary, model, status in OPERATIONS:
        operation: dict[str, Any] = {
            "summary": summary,
            "parameters": _parameters(path),
            "responses": {
                str(status): {"description": "OK"},
                "default": {
                    "description": "An error, its message in the request's language",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
        if model is not None:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                    }
                },
            }
        paths.setdefault(f"/api/v1{path}", {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Toolbox API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}, {}],
    }


async def openapi(request: Request) -> Response:
    return json_response(openapi_document())
