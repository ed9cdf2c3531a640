"""Limits: every integer of every JSON body (as the OpenAPI document lists them) and of every
form (as the pages hold them) driven out of range, every text field driven past its length, and
every path id past the database's integers: each a 4xx with a sentence, never a 5xx, nothing
written. And a socket that sends too many messages is closed."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.factories import (
    bearer,
    make_board,
    make_card,
    make_column,
    make_member,
    make_slot,
    make_user,
    origin,
    signed_in,
    unique,
)
from tests.servers import LiveServer
from toolbox.board.models import Role
from toolbox.db import Database
from toolbox.live.socket import MESSAGES_PER_WINDOW

TOO_BIG = 2**63
#: Paths whose body only an expert or a participant may send (the others: a facilitator).
AS_EXPERT = ("/experts/me",)
AS_PARTICIPANT = ("/suggestions", "/bookings")


@dataclass
class Fixture:
    slug: str
    ids: dict[str, int]
    examples: dict[str, dict[str, Any]]
    facilitator: dict[str, str]
    expert: dict[str, str]
    participant: dict[str, str]
    admin: dict[str, str]


@pytest.fixture
async def fixture(db: Database, server: LiveServer) -> Fixture:
    admin = await make_user(db, admin=True)
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    card = await make_card(db, board, column, facilitator)
    expert = await make_member(db, board, Role.expert)
    participant = await make_member(db, board, Role.participant)
    slot = await make_slot(db, board, facilitator, expert=expert)
    as_participant = await bearer(db, participant)
    async with httpx.AsyncClient(base_url=server.url, headers=as_participant) as http:
        suggestion = await http.post(
            f"/api/v1/boards/{board.slug}/suggestions", json={"title": "Une idée"}
        )
        assert suggestion.status_code == 201, suggestion.text
    starts = datetime.now(UTC) + timedelta(days=5)
    examples: dict[str, dict[str, Any]] = {
        "BoardIn": {"slug": unique("limits"), "title": "t"},
        "ColumnIn": {"title": "t"},
        "CardIn": {"column_id": column.id, "title": "t"},
        "SuggestionIn": {"title": "t"},
        "AcceptSuggestion": {"column_id": column.id},
        "DeclineSuggestion": {"reason": "r"},
        "ColumnPatch": {"title": "t"},
        "MoveColumn": {"index": 0},
        "CardPatch": {"version": card.version, "title": "t"},
        "MoveCard": {"column_id": column.id, "index": 0},
        "SlotIn": {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=45)).isoformat(),
        },
        "GridIn": {
            "days": [starts.date().isoformat()],
            "start": "09:00",
            "end": "10:00",
            "minutes": 45,
        },
        "ExpertProfileIn": {},
        "SlotPatch": {},
        "ClaimIn": {},
        "BookingIn": {"need": "n", "organisation": "o"},
        "OutcomeIn": {"outcome": "held"},
    }
    return Fixture(
        slug=board.slug,
        ids={
            "columns": column.id,
            "cards": card.id,
            "slots": slot.id,
            "suggestions": suggestion.json()["id"],
        },
        examples=examples,
        facilitator=await bearer(db, facilitator),
        expert=await bearer(db, expert),
        participant=as_participant,
        admin=await bearer(db, admin),
    )


def _models(schema: dict[str, Any]) -> list[str]:
    refs = [schema] if "$ref" in schema else schema.get("oneOf", [])
    return [ref["$ref"].rpartition("/")[2] for ref in refs]


def _kinds(prop: dict[str, Any]) -> list[dict[str, Any]]:
    return [prop, *prop.get("anyOf", [])]


def _probes(model: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(field, value, what) for each integer and text field of one model; a text field with no
    length limit is itself a failure, named in the list."""
    probes: list[tuple[str, Any, str]] = []
    for name, prop in model.get("properties", {}).items():
        for kind in _kinds(prop):
            if kind.get("type") == "integer":
                probes += [(name, TOO_BIG, "2^63"), (name, -1, "-1")]
            elif kind.get("type") == "string" and "format" not in kind and "enum" not in kind:
                if "maxLength" not in kind:
                    probes.append((name, None, "no maxLength"))
                else:
                    probes.append((name, "x" * (kind["maxLength"] + 1), "too long"))
            elif kind.get("type") == "array" and kind.get("items", {}).get("type") == "string":
                items = kind["items"]
                if "format" in items:
                    continue
                if "maxLength" not in items:
                    probes.append((name, None, "no maxLength"))
                else:
                    probes.append((name, ["x" * (items["maxLength"] + 1)], "too long"))
    return probes


def _path(template: str, fixture: Fixture, id_value: int | None = None) -> str:
    path = template.replace("{slug}", fixture.slug)
    if "{id}" in path:
        kind = path.split("/")[3]
        path = path.replace("{id}", str(id_value if id_value is not None else fixture.ids[kind]))
    return path


def _actor(path: str, fixture: Fixture) -> dict[str, str]:
    if path == "/api/v1/boards":
        return fixture.admin
    if path.endswith(AS_EXPERT):
        return fixture.expert
    if (path.endswith(AS_PARTICIPANT) and "/slots/" in path) or path.endswith("/suggestions"):
        return fixture.participant
    return fixture.facilitator


async def _state(http: httpx.AsyncClient, fixture: Fixture) -> tuple[int, int]:
    board = await http.get(f"/api/v1/boards/{fixture.slug}", headers=fixture.facilitator)
    boards = await http.get("/api/v1/boards", headers=fixture.admin)
    return board.json()["seq"], len(boards.json()["boards"])


async def test_every_json_integer_and_text_out_of_range_is_refused(
    server: LiveServer, fixture: Fixture
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        document = (await http.get("/api/v1/openapi.json")).json()
        schemas = document["components"]["schemas"]
        before = await _state(http, fixture)
        failures: list[str] = []
        probed = 0
        for template, operations in document["paths"].items():
            for method, operation in operations.items():
                body = operation.get("requestBody")
                if not body:
                    continue
                for model_name in _models(body["content"]["application/json"]["schema"]):
                    for field, value, what in _probes(schemas[model_name]):
                        where = f"{method.upper()} {template} {model_name}.{field} {what}"
                        if value is None:
                            failures.append(where)
                            continue
                        probed += 1
                        sent = {**fixture.examples[model_name], field: value}
                        answer = await http.request(
                            method,
                            _path(template, fixture),
                            json=sent,
                            headers={**_actor(template, fixture), "Accept-Language": "en"},
                        )
                        if not 400 <= answer.status_code < 500:
                            failures.append(f"{where}: {answer.status_code}")
                        elif not answer.json()["error"]["message"]:
                            failures.append(f"{where}: no sentence")
                        elif what != "-1" and answer.status_code != 422:
                            failures.append(f"{where}: {answer.status_code}, not 422")
        assert failures == []
        assert probed > 60
        assert await _state(http, fixture) == before


async def test_every_path_id_past_the_database_is_not_found(
    server: LiveServer, fixture: Fixture
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        document = (await http.get("/api/v1/openapi.json")).json()
        before = await _state(http, fixture)
        answers = {}
        for template, operations in document["paths"].items():
            if "{id}" not in template:
                continue
            for method, operation in operations.items():
                models = _models(
                    operation.get("requestBody", {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                )
                sent = fixture.examples[models[0]] if models else None
                answer = await http.request(
                    method,
                    _path(template, fixture, TOO_BIG),
                    json=sent,
                    headers={**_actor(template, fixture), "Accept-Language": "en"},
                )
                answers[f"{method} {template}"] = (
                    answer.status_code,
                    answer.json()["error"]["message"] if answer.status_code >= 400 else "",
                )
        assert len(answers) > 15
        assert {key: status for key, (status, _) in answers.items() if status != 404} == {}
        assert all(message for _status, message in answers.values())
        assert await _state(http, fixture) == before


class _Forms(HTMLParser):
    """The forms of a page: their action and fields (name, type, value, maxlength)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[dict[str, str]]]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.forms.append((values.get("action", ""), []))
            self._open = True
        elif tag in {"input", "textarea", "select"} and self._open and values.get("name"):
            values.setdefault("type", "textarea" if tag == "textarea" else "text")
            if tag == "select":
                values["type"] = "select"
            self.forms[-1][1].append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


NUMERIC = {"number"}
NUMERIC_NAMES = ("_id", "version", "index", "capacity", "minutes", "gap", "hours")
TEXT = {"text", "textarea", "url", "search", "email"}


async def test_every_form_integer_and_text_out_of_range_is_refused(
    db: Database, server: LiveServer
) -> None:
    """The forms as the pages hold them, for a facilitator, an expert and a participant: each
    sent with its own values but one field out of range."""
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    column = await make_column(db, board, person)
    card = await make_card(db, board, column, person)
    expert = await make_member(db, board, Role.expert)
    participant = await make_member(db, board, Role.participant)
    slot = await make_slot(db, board, person, expert=expert, capacity=3)
    slug = board.slug
    everyone = [f"/b/{slug}", f"/b/{slug}/brigade", f"/b/{slug}/brigade/slots/{slot.id}"]
    people = [
        (
            person,
            [
                *everyone,
                f"/b/{slug}/cards/new",
                f"/b/{slug}/cards/{card.id}/edit",
                f"/b/{slug}/columns/{column.id}/edit",
                f"/b/{slug}/columns/new",
                f"/b/{slug}/manage",
                f"/b/{slug}/brigade/schedule",
            ],
        ),
        (expert, everyone),
        (participant, everyone),
    ]
    failures = []
    probed = 0
    actions = set()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as reader:
        await signed_in(reader, person)
        seq = (await reader.get(f"/api/v1/boards/{slug}")).json()["seq"]
        for who, pages in people:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                await signed_in(http, who)
                forms = await _forms_of(http, pages, slug)
                for action, fields in forms:
                    actions.add(action)
                    for name, value, what in _form_probes(fields):
                        probed += 1
                        answer = await http.post(
                            action,
                            data={**_defaults(fields), name: value},
                            headers={**origin(http), "Accept-Language": "en"},
                        )
                        if not 400 <= answer.status_code < 500:
                            failures.append(f"{action} {name} {what}: {answer.status_code}")
        assert failures == []
        assert probed > 40
        assert any(action.endswith("/book") for action in actions)
        assert any(action.endswith("/brigade/profile") for action in actions)
        assert any(action.endswith("/brigade/schedule") for action in actions)
        assert (await reader.get(f"/api/v1/boards/{slug}")).json()["seq"] == seq


async def _forms_of(
    http: httpx.AsyncClient, pages: list[str], slug: str
) -> list[tuple[str, list[dict[str, str]]]]:
    """Each distinct form (its action and its fields' names) of `pages`, once."""
    forms: dict[tuple[str, tuple[str, ...]], list[dict[str, str]]] = {}
    for path in pages:
        page = await http.get(path)
        assert page.status_code == 200, path
        parser = _Forms()
        parser.feed(page.text)
        for action, fields in parser.forms:
            target = action or path  # a form with no action posts to its page
            if target.startswith(f"/b/{slug}"):
                forms[(target, tuple(sorted(field["name"] for field in fields)))] = fields
    return [(action, fields) for (action, _names), fields in forms.items()]


def _defaults(fields: list[dict[str, str]]) -> dict[str, str]:
    return {field["name"]: field.get("value", "") for field in fields if field["type"] != "submit"}


def _form_probes(fields: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    probes = []
    for field in fields:
        name, kind = field["name"], field["type"]
        if kind in NUMERIC or (kind == "hidden" and name.endswith(NUMERIC_NAMES)):
            probes += [(name, str(TOO_BIG), "2^63"), (name, "-1", "-1")]
        elif kind in TEXT and name != "q":
            limit = int(field.get("maxlength") or 20_000)
            probes.append((name, "x" * (limit + 1), "too long"))
    return probes


async def test_a_socket_that_sends_too_many_messages_is_closed(
    db: Database, server: LiveServer
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
    async with connect(url) as socket:
        for _ in range(MESSAGES_PER_WINDOW):
            await socket.send(json.dumps({"resume": 0}))
        await asyncio.sleep(0.2)
        assert socket.close_code is None  # the allowance itself is served
        await socket.send(json.dumps({"resume": 0}))
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(2):
                while True:
                    await socket.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
        assert "too many messages" in closed.value.rcvd.reason
