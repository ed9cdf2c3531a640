"""The facilitators' manage page (members, invitations, suggestions, archive, history), and
joining a board by invitation."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from toolbox import i18n
from toolbox.accounts import services as accounts
from toolbox.accounts.views import sign_in
from toolbox.board import labels, members, suggestions
from toolbox.board.access import board_access
from toolbox.board.history import KINDS, board_history, kind_name
from toolbox.board.labels import board_labels
from toolbox.board.models import BoardColumn, Card, Kind, Role
from toolbox.board.schemas import LABEL_PALETTE, LabelIn
from toolbox.board.services import archived_contents, board_columns
from toolbox.errors import Conflict, DomainError, Invalid, NotFound
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.templating import render
from toolbox.urls import absolute_url, url_path
from toolbox.validation import parse_form
from toolbox.web import current_user, database, form_fields, int_param, see_other, settings


async def manage_page(
    request: Request,
    invitation_link: str | None = None,
    *,
    label_error: DomainError | None = None,
    status: int = 200,
) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        board = access.board
        people = await members.board_members(session, board)
        archived_columns, archived_cards = await archived_contents(session, board)
        label_rows = await board_labels(session, board)
        query = request.query_params
        just_archived = _just_archived(query.get("archived", ""), archived_columns, archived_cards)
        page = query.get("page", "1")
        history = await board_history(
            session,
            board,
            kind=query.get("kind") or None,
            page=int(page) if page.isdigit() and len(page) < 7 else 1,
        )
        inbox = await suggestions.board_suggestions(session, access, pending_only=True)
        columns = await board_columns(session, board)
        return render(
            request,
            "board/manage.html",
            {
                "access": access,
                "board": board,
                "members": people,
                "roles": list(Role),
                "archived_columns": archived_columns,
                "archived_cards": archived_cards,
                "history": history,
                "history_kinds": [(kind, kind_name(kind)) for kind in KINDS],
                "invitation_link": invitation_link,
                "registration_link": absolute_url(
                    settings(request).base_url, "register", slug=board.slug
                ),
                "just_archived": just_archived,
                "presence": None,
                "inbox": inbox,
                "pending": len(inbox),
                "columns": columns,
                "kinds": list(Kind),
                "labels": label_rows,
                "label_colours": LABEL_PALETTE,
                "label_error": label_error,
            },
            status=status,
        )


@dataclass(frozen=True, slots=True)
class JustArchived:
    """What a facilitator has just archived, offered back at the top of the page (undo)."""

    action: str  # the route that restores it
    id: int
    title: str


def _just_archived(
    which: str, columns: list[BoardColumn], cards: list[Card]
) -> JustArchived | None:
    kind, _sep, number = which.partition("-")
    if not number.isdigit():
        return None
    if kind == "column":
        found = [
            JustArchived("column_action", c.id, c.title) for c in columns if c.id == int(number)
        ]
    elif kind == "card":
        found = [JustArchived("card_action", c.id, c.title) for c in cards if c.id == int(number)]
    else:
        found = []
    return found[0] if found else None


async def create_label(request: Request) -> Response:
    fields = await form_fields(request)
    slug = request.path_params["slug"]
    try:
        data = parse_form(LabelIn, {k: v for k, v in fields.items() if k in {"name", "colour"}})
        async with database(request).write() as session:
            access = await board_access(session, slug, current_user(request))
            await labels.create_label(session, access, data)
    except (Invalid, Conflict) as error:
        return await manage_page(request, label_error=error, status=error.status)
    return see_other(url_path("manage", slug=slug) + "#labels")


async def label_action(request: Request) -> Response:
    """Rename or recolour a label (`edit`), or delete it."""
    fields = await form_fields(request)
    slug = request.path_params["slug"]
    label_id = int_param(request.path_params["id"])
    action = request.path_params["action"]
    if action not in {"edit", "delete"}:
        raise NotFound(_("There is nothing at this address."))
    try:
        async with database(request).write() as session:
            access = await board_access(session, slug, current_user(request))
            if action == "delete":
                await labels.delete_label(session, access, label_id)
            else:
                data = parse_form(
                    LabelIn, {k: v for k, v in fields.items() if k in {"name", "colour"}}
                )
                await labels.update_label(session, access, label_id, data)
    except (Invalid, Conflict) as error:
        return await manage_page(request, label_error=error, status=error.status)
    return see_other(url_path("manage", slug=slug) + "#labels")


async def invite(request: Request) -> Response:
    fields = await form_fields(request)
    role = _role(fields.get("role"))
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        token = await members.create_invitation(session, access, role)
    return await manage_page(
        request, invitation_link=absolute_url(settings(request).base_url, "invitation", token=token)
    )


async def change_role(request: Request) -> Response:
    fields = await form_fields(request)
    role = _role(fields.get("role"))
    slug = request.path_params["slug"]
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        await members.change_role(session, access, int_param(request.path_params["id"]), role)
    return see_other(url_path("manage", slug=slug) + "#members")


async def invitation_page(request: Request) -> Response:
    async with database(request).read() as session:
        invitation, board = await members.open_invitation(session, request.path_params["token"])
    return render(
        request,
        "accounts/invitation.html",
        {"board": board, "role": invitation.role, "error": None, "values": {}},
    )


async def accept_invitation(request: Request) -> Response:
    token = request.path_params["token"]
    fields = await form_fields(request)
    user: Actor | None = current_user(request)
    session_token = None
    try:
        async with database(request).write() as session:
            if user is None:
                user = await accounts.create_user(
                    session,
                    str(fields.get("email", "")),
                    name=str(fields.get("name", ""))[:121],
                    password=str(fields.get("password", "")),
                    locale=i18n.current_locale(),
                )
                session_token = await accounts.start_session(session, user)
            board = await members.accept_invitation(session, token, user)
            slug = board.slug
    except DomainError as error:
        if error.status not in {409, 422}:
            raise
        async with database(request).read() as session:
            invitation, board = await members.open_invitation(session, token)
        return render(
            request,
            "accounts/invitation.html",
            {"board": board, "role": invitation.role, "error": error, "values": fields},
            status=error.status,
        )
    response = see_other(url_path("board", slug=slug))
    return sign_in(request, response, session_token) if session_token else response


def _role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise Invalid(_("This value is not one of the choices."), field="role") from None
