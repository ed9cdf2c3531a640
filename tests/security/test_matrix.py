"""Who may call what: every route of the named table (toolbox/routes.py) × every role × own and
other objects, against a real server, on SQLite and PostgreSQL.

`EXPECTED` says, for each route (and each `{action}` of a route that has them), who may pass;
the cases are generated from the route table itself, so a route added without an entry here
fails `test_every_route_has_an_expectation` (default deny) instead of going untested.

Outcomes are classes of answers: ALLOWED (2xx, or a 3xx that is not the way to the login page),
LOGIN (401, or 303 to /login), FORBIDDEN (403), HIDDEN (404). Where LOGIN or FORBIDDEN is
expected, HIDDEN passes too: not saying that a thing exists is as good a refusal (a suggestion
or a booking is "not found" for who may not see it).

The variants: "own" reaches the objects of the board in the URL (`public` or `members`); "other"
reaches an object of a third, members-only board through it (an id in the path or in the body);
"theirs" reaches another participant's booking on the same board.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from tests.accounts.builders import PASSWORD
from tests.names import unique
from tests.security.world import ROLES, Kit, World, make_kit, scratch_invitation
from tests.servers import LiveServer
from toolbox.brigade.calendar import calendar_token
from toolbox.db import Database
from toolbox.routes import routes

ALLOWED, LOGIN, FORBIDDEN, HIDDEN = "allowed", "login", "forbidden", "hidden"
STAFF = {"facilitator", "admin"}


def gate(board: str, role: str) -> str | None:
    """The refusal of a members-only board to whoever is not a member (None: they may read)."""
    if board != "members":
        return None
    if role == "visitor":
        return LOGIN
    return FORBIDDEN if role == "other_facilitator" else None


Rule = Callable[[str, str], str]  # (board, role) → outcome


def anyone(board: str, role: str) -> str:
    return ALLOWED


def signed_in(board: str, role: str) -> str:
    return LOGIN if role == "visitor" else ALLOWED


def admin_only(board: str, role: str) -> str:
    return ALLOWED if role == "admin" else LOGIN if role == "visitor" else FORBIDDEN


def viewer(board: str, role: str) -> str:
    return gate(board, role) or ALLOWED


def reader(board: str, role: str) -> str:
    """Favourites, useful marks, suggestions: anyone signed in who may read the board."""
    return gate(board, role) or signed_in(board, role)


def closed_registration(board: str, role: str) -> str:
    return gate(board, role) or FORBIDDEN


def facilitator(board: str, role: str) -> str:
    refused = gate(board, role)
    if refused:
        return refused
    return ALLOWED if role in STAFF else LOGIN if role == "visitor" else FORBIDDEN


def nobody_but_its_owner(board: str, role: str) -> str:
    """An import job, for the person who started it: nobody here started the one asked for."""
    return LOGIN if role == "visitor" else HIDDEN


def among(*allowed: str) -> Rule:
    """Those roles, and no one else, among those who may read the board."""

    def rule(board: str, role: str) -> str:
        refused = gate(board, role)
        if refused:
            return refused
        return ALLOWED if role in allowed else LOGIN if role == "visitor" else FORBIDDEN

    return rule


# The slot's expert or a facilitator (claims, releases, outcomes); a booking's participant, the
# slot's expert or a facilitator (a booking, its calendar file, its cancellation).
slot_people = among("expert", "facilitator", "admin")
booking_people = among("participant", "expert", "facilitator", "admin")


@dataclass(frozen=True)
class Entry:
    rule: Rule
    #: The kit attribute that fills `{id}` (or the body's ids), or "" for none.
    target: str = ""
    #: The body, from the kit the target belongs to and the role asking.
    body: Callable[[Kit, World, str], dict[str, Any]] | None = None
    #: Answers that also count as ALLOWED: the door let them in, the state said no.
    also: frozenset[int] = field(default_factory=frozenset)
    json: bool = False


def api(
    rule: Rule, target: str = "", body: Any = None, also: frozenset[int] = frozenset()
) -> Entry:
    return Entry(rule, target, body, also, json=True)


def _slot_times(kit: Kit, world: World, role: str) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=30)).isoformat(),
        "place": "Salle B",
    }


def _claim(kit: Kit, world: World, role: str) -> dict[str, Any]:
    if role == "expert":
        return {}
    return {"expert_id": world.staff[_board_of(world, kit)].expert.id}


def _board_of(world: World, kit: Kit) -> str:
    return next(name for name, board in world.boards.items() if board.id == kit.board.id)


#: The whole table. Keys: a page route's name, "api:<name>", and "<name>:<action>".
EXPECTED: dict[str, Entry] = {
    # --- the JSON API -----------------------------------------------------------------------
    "api:openapi": api(anyone),
    "api:list_boards": api(anyone),
    "api:create_board": api(admin_only, body=lambda k, w, r: {"slug": unique("b"), "title": "B"}),
    "api:get_board": api(viewer),
    "api:create_column": api(facilitator, body=lambda k, w, r: {"title": "Colonne"}),
    "api:create_card": api(
        facilitator, "column_id", lambda k, w, r: {"column_id": k.column_id, "title": "R"}
    ),
    "api:propose": api(reader, body=lambda k, w, r: {"title": unique("Idée")}),
    "api:list_suggestions": api(reader),
    "api:accept": api(facilitator, "suggestion_id", lambda k, w, r: {"column_id": k.column_id}),
    "api:decline": api(facilitator, "suggestion_id", lambda k, w, r: {"reason": "Hors sujet."}),
    "api:star": api(reader, "card_id"),
    "api:unstar": api(reader, "card_id"),
    "api:my_favourites": api(signed_in),
    "api:mark_useful": api(reader, "card_id"),
    "api:unmark_useful": api(reader, "card_id"),
    "api:search": api(viewer),
    "api:events": api(viewer),
    "api:update_column": api(facilitator, "column_id", lambda k, w, r: {"title": "Autre"}),
    "api:archive_column": api(facilitator, "column_id"),
    "api:move_column": api(facilitator, "column_id", lambda k, w, r: {"index": 0}),
    "api:get_card": api(viewer, "card_id"),
    "api:update_card": api(
        facilitator, "card_id", lambda k, w, r: {"version": k.card_version, "title": "Autre"}
    ),
    "api:archive_card": api(facilitator, "card_id"),
    "api:move_card": api(
        facilitator, "card_id", lambda k, w, r: {"column_id": k.column_id, "index": 0}
    ),
    "api:restore_card": api(facilitator, "archived_card_id"),
    "api:list_slots": api(viewer),
    "api:create_slots": api(facilitator, body=_slot_times),
    "api:list_experts": api(viewer),
    "api:save_profile": api(among("expert"), body=lambda k, w, r: {"bio": "Données."}),
    "api:update_slot": api(facilitator, "slot_id", lambda k, w, r: {"place": "Salle C"}),
    "api:cancel_slot": api(facilitator, "slot_id"),
    "api:claim": api(slot_people, "open_slot_id", _claim),
    "api:release": api(slot_people, "slot_id"),
    "api:book": api(
        among("participant"),
        "free_slot_id",
        lambda k, w, r: {"need": "Un plan.", "organisation": unique("Org")},
    ),
    # A session that has not taken place has no outcome yet: 409 once past the door.
    "api:outcome": api(slot_people, "slot_id", lambda k, w, r: {"outcome": "held"}, {409, 422}),
    "api:get_booking": api(booking_people, "booking_id"),
    "api:delete_booking": api(booking_people, "booking_id"),
    # --- pages, forms, files -------------------------------------------------------------------
    "static": Entry(anyone),
    "favicon": Entry(anyone),
    "healthz": Entry(anyone),
    "readyz": Entry(anyone),
    "home": Entry(anyone),
    "board_create": Entry(admin_only, body=lambda k, w, r: {"slug": unique("b"), "title": "B"}),
    "login": Entry(anyone),
    "login_submit": Entry(
        anyone, body=lambda k, w, r: {"email": w.people["participant"].email, "password": PASSWORD}
    ),
    "logout": Entry(anyone),
    "language_choose": Entry(anyone, body=lambda k, w, r: {"locale": "fr_CA"}),
    "me": Entry(signed_in),
    "token_create": Entry(signed_in, body=lambda k, w, r: {"name": "script"}),
    # Someone else's token (or none): the door lets whoever is signed in knock, the token's
    # owner is checked behind it (404). The world's own tokens are never revoked here.
    "token_revoke": Entry(signed_in, "missing", also=frozenset({404})),
    # Only from a browser's session: the world signs in with API tokens, and a token may not
    # change its owner's password (sent to sign in, whoever it is). Should the door ever let a
    # token in, the wrong current password keeps it from changing anything.
    "password_change": Entry(
        lambda b, r: LOGIN,
        body=lambda k, w, r: {"current": "not-the-password", "password": "a-new-password-42"},
        also=frozenset({422}),
    ),
    "confirm_resend": Entry(signed_in),
    # Anyone may ask for a reset link or open one; a link that is not one is refused by its
    # state (a page with a sentence), never by who asks.
    "reset": Entry(anyone),
    "reset_submit": Entry(
        anyone, body=lambda k, w, r: {"email": unique("nobody") + "@example.org"}
    ),
    "reset_password": Entry(anyone, "invitation", also=frozenset({400, 404, 410})),
    "reset_password_submit": Entry(
        anyone,
        "invitation",
        body=lambda k, w, r: {"password": "a-new-password-42"},
        also=frozenset({400, 404, 410, 422}),
    ),
    "confirm": Entry(anyone, "invitation", also=frozenset({400, 404, 410})),
    "confirm_submit": Entry(anyone, "invitation", also=frozenset({400, 404, 410})),
    # The world's boards take no registrations: refused to everyone, as to a visitor of a
    # members-only board (sent to sign in).
    "register": Entry(closed_registration),
    "register_submit": Entry(
        closed_registration,
        body=lambda k, w, r: {
            "email": unique("newcomer") + "@example.org",
            "name": "Nouvelle",
            "password": "a-new-password-42",
        },
    ),
    "invitation": Entry(anyone, "invitation"),
    # Accepting is for someone signed in (a visitor is shown the page again, 422, asking them to
    # sign in or make an account); the invitation is to a scratch board.
    "invitation_accept": Entry(lambda b, r: "422" if r == "visitor" else ALLOWED, "invitation"),
    "board": Entry(viewer),
    # One column as the board draws it, read again by a browser whose order drifted.
    "column_fragment": Entry(viewer, "column_id"),
    "board_socket": Entry(viewer),  # tests/security/test_socket_matrix.py
    "manage": Entry(facilitator),
    # Kept closed ("0"): the register cases above count on it.
    "registration_save": Entry(facilitator, body=lambda k, w, r: {"open": "0"}),
    "invitation_create": Entry(facilitator, body=lambda k, w, r: {"role": "participant"}),
    "member_role": Entry(facilitator, "member_id", lambda k, w, r: {"role": "expert"}),
    "label_create": Entry(facilitator, body=lambda k, w, r: {"name": unique("É"), "colour": "red"}),
    "label_action:edit": Entry(
        facilitator, "label_id", lambda k, w, r: {"name": unique("É"), "colour": "blue"}
    ),
    "label_action:delete": Entry(facilitator, "label_id"),
    # No file sent: past the door, the form answers 422 with its sentence.
    "import_upload": Entry(facilitator, also=frozenset({422})),
    "import_job": Entry(nobody_but_its_owner, "job"),
    "import_notes": Entry(facilitator),
    "export_csv": Entry(viewer),
    "export_json": Entry(facilitator),
    "board_feed": Entry(viewer),
    "room": Entry(viewer),
    "my_marks": Entry(viewer),
    "pocket": Entry(viewer),
    "print": Entry(viewer),
    "suggestion_create": Entry(reader, body=lambda k, w, r: {"title": unique("Idée")}),
    "suggestion_accept": Entry(
        facilitator, "suggestion_id", lambda k, w, r: {"column_id": k.column_id}
    ),
    "suggestion_decline": Entry(
        facilitator, "suggestion_id", lambda k, w, r: {"reason": "Hors sujet."}
    ),
    "column_create": Entry(facilitator, body=lambda k, w, r: {"title": "Colonne"}),
    "column_new": Entry(facilitator),
    "column_tools": Entry(facilitator, "column_id"),
    "column_action:archive": Entry(facilitator, "column_id"),
    "column_action:restore": Entry(facilitator, "archived_column_id"),
    "column_action:move": Entry(facilitator, "column_id", lambda k, w, r: {"position": "1"}),
    "column_action:edit": Entry(facilitator, "column_id", lambda k, w, r: {"title": "Autre"}),
    "card_new": Entry(facilitator),
    "card_create": Entry(
        facilitator, "column_id", lambda k, w, r: {"column_id": str(k.column_id), "title": "R"}
    ),
    "card": Entry(viewer, "card_id"),
    "card_edit": Entry(facilitator, "card_id"),
    "card_update": Entry(
        facilitator,
        "card_id",
        lambda k, w, r: {"version": str(k.card_version), "title": "Autre", "kind": "other"},
    ),
    "card_favourite": Entry(reader, "card_id"),
    "card_useful": Entry(reader, "card_id"),
    "card_action:archive": Entry(facilitator, "card_id"),
    "card_action:restore": Entry(facilitator, "archived_card_id"),
    "card_action:move": Entry(
        facilitator, "card_id", lambda k, w, r: {"column_id": str(k.column_id), "position": "1"}
    ),
    "brigade": Entry(viewer),
    "schedule": Entry(facilitator),
    "schedule_build": Entry(
        facilitator,
        body=lambda k, w, r: {
            "kind": "single",
            **{key: value for key, value in _slot_times(k, w, r).items()},
        },
    ),
    "profile_save": Entry(among("expert"), body=lambda k, w, r: {"bio": "Données."}),
    "brigade_settings_save": Entry(facilitator, body=lambda k, w, r: {"cancel_hours": "24"}),
    "report": Entry(facilitator),
    "report_csv": Entry(facilitator),
    "slot": Entry(viewer, "slot_id"),
    "slot_action:claim": Entry(among("expert"), "open_slot_id"),
    "slot_action:release": Entry(slot_people, "slot_id"),
    # An expert may name themself (as a claim); see test_attacks for naming another.
    "slot_action:assign": Entry(
        slot_people,
        "open_slot_id",
        lambda k, w, r: {"expert_id": str(_claim(k, w, "x")["expert_id"])},
    ),
    "slot_action:cancel": Entry(facilitator, "slot_id"),
    "slot_action:book": Entry(
        among("participant"),
        "free_slot_id",
        lambda k, w, r: {"need": "Un plan.", "organisation": unique("Org")},
    ),
    "slot_action:outcome": Entry(
        slot_people, "slot_id", lambda k, w, r: {"outcome": "held"}, frozenset({409, 422})
    ),
    "slot_action:edit": Entry(facilitator, "slot_id", lambda k, w, r: {"place": "Salle C"}),
    "booking_cancel": Entry(booking_people, "booking_id"),
    "booking_ics": Entry(booking_people, "booking_id"),
    "calendar_feed": Entry(anyone, "calendar"),
}


# The brigade's doors answer a visitor 403 ("only the board's participants may book") where the
# rest of the app answers 401: a refusal either way, written down here so that a change shows.
VISITOR_TOLD_403 = {
    "api:save_profile",
    "api:release",
    "api:book",
    "api:outcome",
    "profile_save",
    "slot_action:outcome",
    "slot_action:release",
    "slot_action:book",
    "slot_action:claim",
}


@dataclass(frozen=True)
class Door:
    """One route (one method, one action) of the table."""

    key: str
    method: str
    path: str  # with `{name}` placeholders

    @property
    def safe(self) -> bool:
        return self.method in {"GET", "HEAD"}

    @property
    def board_bound(self) -> bool:
        return "{slug}" in self.path


def doors(table: list[BaseRoute] | None = None) -> Iterator[Door]:
    def walk(items: list[BaseRoute], prefix: str, namespace: str) -> Iterator[Door]:
        for route in items:
            if isinstance(route, Mount):
                yield from walk(route.routes, prefix + route.path, f"{route.name}:")
            elif isinstance(route, WebSocketRoute):
                yield Door(namespace + route.name, "WEBSOCKET", prefix + route.path_format)
            elif isinstance(route, Route):
                path = prefix + route.path_format
                for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                    if "{action}" in path:
                        actions = [
                            k.split(":")[1] for k in EXPECTED if k.startswith(route.name + ":")
                        ]
                        for action in actions or ["?"]:
                            yield Door(
                                f"{namespace}{route.name}:{action}",
                                method,
                                path.replace("{action}", action),
                            )
                    else:
                        yield Door(namespace + route.name, method, path)

    return walk(routes() if table is None else table, "", "")


DOORS = list(doors())


def test_every_route_has_an_expectation() -> None:
    """Default deny: a route (or action) without an entry is a failure, and so is an entry
    that names no route any more."""
    keys = {door.key for door in DOORS}
    assert sorted(keys - EXPECTED.keys()) == []
    assert sorted(EXPECTED.keys() - keys) == []


def test_a_route_added_without_an_expectation_is_caught() -> None:
    """What the test above does for a route added tomorrow, API or page, with an action or not."""

    async def endpoint(request: object) -> None: ...

    added = [
        *routes(),
        Mount(
            "/api/v1", routes=[Route("/cards/{id}/share", endpoint, methods=["POST"])], name="api"
        ),
        Route("/b/{slug}/cards/{id}/{action}", endpoint, methods=["POST"], name="card_action"),
        Route("/b/{slug}/secrets", endpoint, name="secrets"),
    ]
    keys = {door.key for door in doors(added)}
    assert sorted(keys - EXPECTED.keys()) == ["api:endpoint", "secrets"]


def outcome_of(response: httpx.Response) -> str:
    status = response.status_code
    login = response.headers.get("location", "").startswith("/login")
    if status == 401 or (300 <= status < 400 and login):
        return LOGIN
    if status < 400:
        return ALLOWED
    return {403: FORBIDDEN, 404: HIDDEN}.get(status, str(status))


def expected(door: Door, entry: Entry, board: str, variant: str, role: str) -> set[str]:
    own = entry.rule(board, role)
    if variant == "own":
        return {own}
    if variant == "theirs":
        # Another participant's booking: the participant is no longer entitled.
        if role == "participant":
            return {FORBIDDEN, HIDDEN}
        return {own}
    # An object of the `other` board, members-only, whose facilitator is `other_facilitator`.
    if door.board_bound:
        # Reached through this board's address: not found here, or refused before looking.
        refused = gate(board, role)
        if refused:
            return {refused}
        return {HIDDEN, FORBIDDEN} | ({own} - {ALLOWED})
    if role == "visitor":
        return {LOGIN}
    if role in {"other_facilitator", "admin"}:
        return {entry.rule("members", "facilitator" if role == "other_facilitator" else role)}
    return {FORBIDDEN, HIDDEN}


def cases() -> Iterator[Any]:
    for door in DOORS:
        entry = EXPECTED.get(door.key)
        if door.method == "WEBSOCKET":
            continue
        boards = ("public", "members") if door.board_bound else ("public",)
        variants = ["own"]
        if entry is None:
            yield pytest.param(door, "public", "own", "visitor", id=f"{door.key}-no-entry")
            continue
        if entry.target and entry.target not in {"invitation", "calendar", "job", "missing"}:
            variants.append("other")
        if entry.target == "booking_id":
            variants.append("theirs")
        for board in boards:
            for variant in variants:
                for role in ROLES:
                    yield pytest.param(
                        door,
                        board,
                        variant,
                        role,
                        id=f"{door.method}-{door.key}-{board}-{variant}-{role}",
                    )


async def _target_kit(db: Database, world: World, board: str, variant: str, fresh: bool) -> Kit:
    name = "other" if variant == "other" else board
    if fresh:
        return await make_kit(db, world, name)
    return world.kits[name]


def _fill(
    door: Door,
    entry: Entry,
    world: World,
    kit: Kit,
    board: str,
    variant: str,
    role: str,
    invitation: str,
) -> str:
    params: dict[str, Any] = {"slug": world.boards[board].slug, "path": "app.css", "job": "0" * 32}
    target = entry.target
    if target == "invitation":
        params["token"] = invitation
    elif target == "calendar":
        params["token"] = _calendar_token(world, role)
    elif target == "missing":
        params["id"] = 2**31 - 1  # no such row, whoever asks
    elif target == "booking_id" and variant == "theirs":
        params["id"] = kit.other_booking_id
    elif target and "{id}" in door.path:
        params["id"] = getattr(kit, target)
    elif "{id}" in door.path:
        params["id"] = kit.card_id
    return door.path.format(**params)


def _calendar_token(world: World, role: str) -> str:
    person = world.people.get(role) or world.people["participant"]
    return calendar_token("test-secret-key", person)


@pytest.mark.parametrize(("door", "board", "variant", "role"), list(cases()))
async def test_who_may_pass(
    door: Door,
    board: str,
    variant: str,
    role: str,
    world: World,
    db: Database,
    server: LiveServer,
    client: httpx.AsyncClient,
) -> None:
    entry = EXPECTED.get(door.key)
    assert entry is not None, f"{door.method} {door.path} has no expectation (default deny)"
    wanted = expected(door, entry, board, variant, role)
    # A change that should go through gets things of its own, so that it disturbs no other case.
    fresh = not door.safe and ALLOWED in wanted
    kit = await _target_kit(db, world, board, variant, fresh)
    invitation = kit.invitation
    if door.key == "invitation_accept":
        invitation = await scratch_invitation(db, world)
    path = _fill(door, entry, world, kit, board, variant, role, invitation)
    headers = world.headers(role)
    if not door.safe:
        headers["Origin"] = server.url
    body = entry.body(kit, world, role) if entry.body else None
    if entry.json:
        response = await client.request(door.method, path, json=body, headers=headers)
    else:
        response = await client.request(door.method, path, data=body, headers=headers)
    got = outcome_of(response)
    told_403 = door.key in VISITOR_TOLD_403 and variant != "other" and board == "public"
    if role == "visitor" and told_403:
        wanted = {FORBIDDEN}
    if response.status_code in entry.also and ALLOWED in wanted:
        got = ALLOWED
    # Not saying whether a thing exists is a refusal as good as saying no.
    if got == HIDDEN:
        wanted |= {HIDDEN} if wanted & {LOGIN, FORBIDDEN} else set()
    assert got in wanted, (door.method, path, role, response.status_code, response.text[:300])
