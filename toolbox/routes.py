"""Every URL of the app, in one table, each route named.

Code and templates build URLs from these names, never by hand: `toolbox.urls.url_path(name,
**params)` in Python and `url_for(name, **params)` in templates. The names:
- a page is named for what it shows: "board", "card", "slot", "manage", "me";
- a form's target is the thing and the verb: "card_create", "card_update", "slot_action";
- the JSON API is the "api" namespace, each route named for its endpoint: "api:get_board";
- the board's websocket is "board_socket", the static files "static" (`path=` the file).
Text parameters are `{name:segment}`: `str` without a NUL (see `Segment`).
Paths and query strings are part of the public contract (DESIGN.md §6): change none.
"""

from __future__ import annotations

from pathlib import Path

from starlette.convertors import StringConvertor, register_url_convertor
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from toolbox import health
from toolbox.accounts import views as accounts
from toolbox.board import api as board_api
from toolbox.board import feed_views as feeds
from toolbox.board import manage, room, suggestions_api
from toolbox.board import marks_views as marks
from toolbox.board import pocket_views as pocket
from toolbox.board import registration_views as registration
from toolbox.board import responses as board_out
from toolbox.board import schemas as board_in
from toolbox.board import suggestion_views as suggestion_pages
from toolbox.board import views as board
from toolbox.brigade import api as brigade_api
from toolbox.brigade import calendar_views as calendars
from toolbox.brigade import responses as brigade_out
from toolbox.brigade import schemas as brigade_in
from toolbox.brigade import views as brigade
from toolbox.live.socket import serve_board_socket
from toolbox.me import views as me
from toolbox.openapi import ApiRoute, OpenApiDocument, openapi
from toolbox.openapi import Operation as Op
from toolbox.static_files import Favicon, StaticFiles, StaticRoute
from toolbox.transfer import views as transfer

# Absolute, so that a process started from another folder (a test, a script) still finds the
# files, and url_for still gives their hashed names.
STATIC_DIR = str(Path(__file__).resolve().parent.parent / "static")


class Segment(StringConvertor):
    """A path segment, as `str` takes it, but never one holding a NUL: nothing is named so, and
    PostgreSQL fails on comparing one (a 500 where a 404 is due)."""

    regex = "[^/\x00]+"


register_url_convertor("segment", Segment())
TEXT: dict[str, object] = {"type": "string", "maxLength": 500}
MOMENT: dict[str, object] = {"type": "string", "format": "date-time"}

# Each method of each path is one `ApiRoute` with its `Operation`: what `toolbox.openapi` documents.
api_routes: list[BaseRoute] = [
    ApiRoute("GET", "/openapi.json", openapi, Op("This document", OpenApiDocument)),
    ApiRoute(
        "GET",
        "/boards",
        board_api.list_boards,
        Op("Boards the caller can see", board_out.BoardList),
    ),
    ApiRoute(
        "POST",
        "/boards",
        board_api.create_board,
        Op("Create a board (admin)", board_out.BoardOut, 201, (board_in.BoardIn,)),
    ),
    ApiRoute(
        "GET",
        "/boards/{slug:segment}",
        board_api.get_board,
        Op(
            "A board with its columns and cards in order (archived ones with archived=1)",
            board_out.BoardWithColumns,
            query={"archived": {"type": "string", "enum": ["0", "1"]}},
        ),
    ),
    ApiRoute(
        "POST",
        "/boards/{slug:segment}/columns",
        board_api.create_column,
        Op("Add a column (facilitator)", board_out.ColumnWithCards, 201, (board_in.ColumnIn,)),
    ),
    ApiRoute(
        "POST",
        "/boards/{slug:segment}/cards",
        board_api.create_card,
        Op("Add a card (facilitator)", board_out.CardOut, 201, (board_in.CardIn,)),
    ),
    ApiRoute(
        "POST",
        "/boards/{slug:segment}/suggestions",
        suggestions_api.propose,
        Op(
            "Suggest a resource (signed in)",
            board_out.SuggestionOut,
            201,
            (board_in.SuggestionIn,),
        ),
    ),
    ApiRoute(
        "GET",
        "/boards/{slug:segment}/suggestions",
        suggestions_api.list_suggestions,
        Op("Suggestions: all for facilitators, one's own otherwise", board_out.SuggestionList),
    ),
    ApiRoute(
        "POST",
        "/suggestions/{id}/accept",
        suggestions_api.accept,
        Op(
            "Accept a suggestion: it becomes a card (facilitator)",
            board_out.SuggestionOut,
            body=(board_in.AcceptSuggestion,),
        ),
    ),
    ApiRoute(
        "POST",
        "/suggestions/{id}/decline",
        suggestions_api.decline,
        Op(
            "Decline a suggestion with a reason (facilitator)",
            board_out.SuggestionOut,
            body=(board_in.DeclineSuggestion,),
        ),
    ),
    ApiRoute(
        "PUT",
        "/cards/{id}/favourite",
        board_api.star,
        Op("Star a card (private to the caller)", board_out.FavouriteState),
    ),
    ApiRoute(
        "DELETE",
        "/cards/{id}/favourite",
        board_api.unstar,
        Op("Unstar a card", board_out.FavouriteState),
    ),
    ApiRoute(
        "GET",
        "/me/favourites",
        board_api.my_favourites,
        Op("The caller's starred cards, on every board", board_out.FavouriteList),
    ),
    ApiRoute(
        "PUT",
        "/cards/{id}/useful",
        board_api.mark_useful,
        Op("Mark a card useful (one mark per person; the count is public)", board_out.UsefulState),
    ),
    ApiRoute(
        "DELETE",
        "/cards/{id}/useful",
        board_api.unmark_useful,
        Op("Take one's useful mark back", board_out.UsefulState),
    ),
    ApiRoute(
        "GET",
        "/boards/{slug:segment}/search",
        board_api.search,
        Op(
            "Search a board's resources: accent- and case-insensitive, ranked",
            board_out.SearchResults,
            query={
                "q": TEXT,
                "label": TEXT,
                "kind": TEXT,
                "lang": TEXT,
                "column": TEXT,
                "audience": TEXT,
                "sort": {"type": "string", "enum": ["", "newest", "useful"]},
            },
        ),
    ),
    ApiRoute(
        "GET",
        "/boards/{slug:segment}/events",
        board_api.events,
        Op(
            "Events after a seq, in order, as the caller may see them",
            board_out.EventsPage,
            query={"after": {"type": "integer", "minimum": 0, "maximum": board_api.SEQ_MAX}},
        ),
    ),
    ApiRoute(
        "PATCH",
        "/columns/{id}",
        board_api.update_column,
        Op("Edit a column (facilitator)", board_out.ColumnOut, body=(board_in.ColumnPatch,)),
    ),
    ApiRoute(
        "DELETE",
        "/columns/{id}",
        board_api.archive_column,
        Op("Archive a column (facilitator)", board_out.ColumnOut),
    ),
    ApiRoute(
        "POST",
        "/columns/{id}/move",
        board_api.move_column,
        Op(
            "Move a column to an index (facilitator)",
            board_out.ColumnOut,
            body=(board_in.MoveColumn,),
        ),
    ),
    ApiRoute(
        "GET",
        "/cards/{id}",
        board_api.get_card,
        Op("One card, with its version", board_out.CardOut),
    ),
    ApiRoute(
        "PATCH",
        "/cards/{id}",
        board_api.update_card,
        Op(
            "Edit a card (facilitator); a stale version is a 409 with the current card",
            board_out.CardOut,
            body=(board_in.CardPatch,),
        ),
    ),
    ApiRoute(
        "DELETE",
        "/cards/{id}",
        board_api.archive_card,
        Op("Archive a card (facilitator)", board_out.CardOut),
    ),
    ApiRoute(
        "POST",
        "/cards/{id}/move",
        board_api.move_card,
        Op(
            "Move a card to a column and a 0-based index (facilitator)",
            board_out.CardOut,
            body=(board_in.MoveCard,),
        ),
    ),
    ApiRoute(
        "POST",
        "/cards/{id}/restore",
        board_api.restore_card,
        Op("Restore an archived card (facilitator)", board_out.CardOut),
    ),
    ApiRoute(
        "GET",
        "/boards/{slug:segment}/slots",
        brigade_api.list_slots,
        Op(
            "The brigade's slots, without needs or names of who booked",
            brigade_out.SlotList,
            query={"from": MOMENT, "to": MOMENT},
        ),
    ),
    ApiRoute(
        "POST",
        "/boards/{slug:segment}/slots",
        brigade_api.create_slots,
        Op(
            "One slot, or a grid in the board's time zone (facilitator)",
            brigade_out.SlotList,
            201,
            (brigade_in.SlotIn, brigade_in.GridIn),
        ),
    ),
    ApiRoute(
        "GET",
        "/boards/{slug:segment}/experts",
        brigade_api.list_experts,
        Op("The brigade's experts", brigade_out.ExpertList),
    ),
    ApiRoute(
        "PUT",
        "/boards/{slug:segment}/experts/me",
        brigade_api.save_profile,
        Op(
            "One's own expert profile (expert)",
            brigade_out.ProfileOut,
            body=(brigade_in.ExpertProfileIn,),
        ),
    ),
    ApiRoute(
        "PATCH",
        "/slots/{id}",
        brigade_api.update_slot,
        Op("Edit a slot (facilitator)", brigade_out.SlotOut, body=(brigade_in.SlotPatch,)),
    ),
    ApiRoute(
        "DELETE",
        "/slots/{id}",
        brigade_api.cancel_slot,
        Op("Cancel a slot (facilitator)", brigade_out.SlotOut),
    ),
    ApiRoute(
        "POST",
        "/slots/{id}/claim",
        brigade_api.claim,
        Op(
            "Claim a slot: an expert for themself, a facilitator for an expert_id",
            brigade_out.SlotOut,
            body=(brigade_in.ClaimIn,),
        ),
    ),
    ApiRoute(
        "DELETE",
        "/slots/{id}/claim",
        brigade_api.release,
        Op("Release a claimed slot (its expert or a facilitator)", brigade_out.SlotOut),
    ),
    ApiRoute(
        "POST",
        "/slots/{id}/bookings",
        brigade_api.book,
        Op(
            "Book a seat (participant); 409 slot_full, slot_unclaimed or already_booked",
            brigade_out.BookingOut,
            201,
            (brigade_in.BookingIn,),
        ),
    ),
    ApiRoute(
        "POST",
        "/slots/{id}/outcome",
        brigade_api.outcome,
        Op(
            "Say whether a session was held (its expert or a facilitator)",
            brigade_out.SlotOut,
            body=(brigade_in.OutcomeIn,),
        ),
    ),
    ApiRoute(
        "GET",
        "/bookings/{id}",
        brigade_api.get_booking,
        Op("A booking (its participant, the slot's expert, facilitators)", brigade_out.BookingOut),
    ),
    ApiRoute(
        "DELETE",
        "/bookings/{id}",
        brigade_api.delete_booking,
        Op(
            "Cancel a booking (its participant, the slot's expert, facilitators)",
            brigade_out.BookingOut,
        ),
    ),
]


class BoardSocket:
    """`/b/{slug}/ws`. `toolbox.app.ToolboxApp` serves it before the middleware and the router
    (why: `toolbox.live.socket`); the route is here for its name, and for an app built without
    that shortcut."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await serve_board_socket(scope["app"], scope["path_params"]["slug"], scope, receive, send)


def routes(static_dir: str = STATIC_DIR) -> list[BaseRoute]:
    # Read, hashed and compressed here, once per process (toolbox.static_files).
    static = StaticFiles(Path(static_dir))
    return [
        # The router tries routes in order: the API and the static files, the busiest and the
        # ones whose prefix no page shares, come first, so that they skip forty page patterns.
        Mount("/api/v1", routes=api_routes, name="api"),
        StaticRoute("/static/{path:path}", static, name="static"),
        Route("/favicon.ico", Favicon(static), name="favicon"),
        Route("/healthz", health.healthz, name="healthz"),
        Route("/readyz", health.readyz, name="readyz"),
        Route("/", board.home, name="home"),
        Route("/boards", board.create_board_form, methods=["POST"], name="board_create"),
        Route("/login", accounts.login_form, methods=["GET"], name="login"),
        Route("/login", accounts.login, methods=["POST"], name="login_submit"),
        Route("/logout", accounts.logout, methods=["POST"], name="logout"),
        Route("/reset", accounts.reset_form, methods=["GET"], name="reset"),
        Route("/reset", accounts.request_reset, methods=["POST"], name="reset_submit"),
        Route(
            "/reset/{token:segment}",
            accounts.new_password_form,
            methods=["GET"],
            name="reset_password",
        ),
        Route(
            "/reset/{token:segment}",
            accounts.set_new_password,
            methods=["POST"],
            name="reset_password_submit",
        ),
        Route(
            "/register/{slug:segment}",
            registration.register_page,
            methods=["GET"],
            name="register",
        ),
        Route(
            "/register/{slug:segment}",
            registration.register,
            methods=["POST"],
            name="register_submit",
        ),
        Route("/confirm", accounts.resend_confirmation, methods=["POST"], name="confirm_resend"),
        Route("/confirm/{token:segment}", accounts.confirm_page, methods=["GET"], name="confirm"),
        Route(
            "/confirm/{token:segment}",
            accounts.confirm,
            methods=["POST"],
            name="confirm_submit",
        ),
        Route("/language", accounts.choose_language, methods=["POST"], name="language_choose"),
        Route("/me", me.me, name="me"),
        Route("/me/tokens", me.new_api_token, methods=["POST"], name="token_create"),
        Route("/me/tokens/{id}/revoke", me.revoke_api_token, methods=["POST"], name="token_revoke"),
        Route("/me/password", me.change_password, methods=["POST"], name="password_change"),
        Route(
            "/invite/{token:segment}", manage.invitation_page, methods=["GET"], name="invitation"
        ),
        Route(
            "/invite/{token:segment}",
            manage.accept_invitation,
            methods=["POST"],
            name="invitation_accept",
        ),
        Route("/b/{slug:segment}", board.board_page, name="board"),
        WebSocketRoute("/b/{slug:segment}/ws", BoardSocket(), name="board_socket"),
        Route("/b/{slug:segment}/manage", manage.manage_page, name="manage"),
        Route(
            "/b/{slug:segment}/invitations",
            manage.invite,
            methods=["POST"],
            name="invitation_create",
        ),
        Route(
            "/b/{slug:segment}/members/{id}/role",
            manage.change_role,
            methods=["POST"],
            name="member_role",
        ),
        Route(
            "/b/{slug:segment}/registration",
            registration.save_registration,
            methods=["POST"],
            name="registration_save",
        ),
        Route(
            "/b/{slug:segment}/labels", manage.create_label, methods=["POST"], name="label_create"
        ),
        Route(
            "/b/{slug:segment}/labels/{id}/{action:str}",
            manage.label_action,
            methods=["POST"],
            name="label_action",
        ),
        Route("/b/{slug:segment}/import", transfer.upload, methods=["POST"], name="import_upload"),
        Route("/b/{slug:segment}/import/{job:segment}", transfer.job_page, name="import_job"),
        Route("/b/{slug:segment}/notes", transfer.notes_page, name="import_notes"),
        Route("/b/{slug:segment}/export.csv", transfer.export_csv, name="export_csv"),
        Route("/b/{slug:segment}/export.json", transfer.export_json, name="export_json"),
        Route("/b/{slug:segment}/feed.atom", feeds.feed, name="board_feed"),
        Route("/b/{slug:segment}/room", room.room_page, name="room"),
        Route("/b/{slug:segment}/mine.json", marks.my_marks, name="my_marks"),
        Route("/b/{slug:segment}/pocket.epub", pocket.pocket_book, name="pocket"),
        Route("/b/{slug:segment}/print", pocket.print_page, name="print"),
        Route(
            "/b/{slug:segment}/suggestions",
            suggestion_pages.propose,
            methods=["POST"],
            name="suggestion_create",
        ),
        Route(
            "/b/{slug:segment}/suggestions/{id}/accept",
            suggestion_pages.accept,
            methods=["POST"],
            name="suggestion_accept",
        ),
        Route(
            "/b/{slug:segment}/suggestions/{id}/decline",
            suggestion_pages.decline,
            methods=["POST"],
            name="suggestion_decline",
        ),
        Route(
            "/b/{slug:segment}/columns", board.create_column, methods=["POST"], name="column_create"
        ),
        Route("/b/{slug:segment}/columns/new", board.new_column_form, name="column_new"),
        Route(
            "/b/{slug:segment}/columns/{id}",
            board.column_fragment,
            methods=["GET"],
            name="column_fragment",
        ),
        Route(
            "/b/{slug:segment}/columns/{id}/edit",
            board.column_tools_page,
            methods=["GET"],
            name="column_tools",
        ),
        Route(
            "/b/{slug:segment}/columns/{id}/{action:str}",
            board.column_action,
            methods=["POST"],
            name="column_action",
        ),
        Route("/b/{slug:segment}/cards/new", board.new_card_form, name="card_new"),
        Route("/b/{slug:segment}/cards", board.create_card, methods=["POST"], name="card_create"),
        Route("/b/{slug:segment}/cards/{id}", board.card_page, methods=["GET"], name="card"),
        Route(
            "/b/{slug:segment}/cards/{id}/edit",
            board.edit_card_form,
            methods=["GET"],
            name="card_edit",
        ),
        Route(
            "/b/{slug:segment}/cards/{id}/edit",
            board.update_card,
            methods=["POST"],
            name="card_update",
        ),
        Route(
            "/b/{slug:segment}/cards/{id}/favourite",
            marks.favourite_form,
            methods=["POST"],
            name="card_favourite",
        ),
        Route(
            "/b/{slug:segment}/cards/{id}/useful",
            marks.useful_form,
            methods=["POST"],
            name="card_useful",
        ),
        Route(
            "/b/{slug:segment}/cards/{id}/{action:str}",
            board.card_action,
            methods=["POST"],
            name="card_action",
        ),
        Route("/b/{slug:segment}/brigade", brigade.brigade_page, name="brigade"),
        Route(
            "/b/{slug:segment}/brigade/schedule",
            brigade.schedule_form,
            methods=["GET"],
            name="schedule",
        ),
        Route(
            "/b/{slug:segment}/brigade/schedule",
            brigade.build_schedule,
            methods=["POST"],
            name="schedule_build",
        ),
        Route(
            "/b/{slug:segment}/brigade/profile",
            brigade.save_profile,
            methods=["POST"],
            name="profile_save",
        ),
        Route(
            "/b/{slug:segment}/brigade/settings",
            brigade.save_settings,
            methods=["POST"],
            name="brigade_settings_save",
        ),
        Route("/b/{slug:segment}/brigade/report", brigade.report_page, name="report"),
        Route("/b/{slug:segment}/brigade/report.csv", brigade.report_csv, name="report_csv"),
        Route(
            "/b/{slug:segment}/brigade/slots/{id}", brigade.slot_page, methods=["GET"], name="slot"
        ),
        Route(
            "/b/{slug:segment}/brigade/slots/{id}/{action:str}",
            brigade.slot_action,
            methods=["POST"],
            name="slot_action",
        ),
        Route(
            "/b/{slug:segment}/brigade/bookings/{id}/cancel",
            brigade.cancel_booking,
            methods=["POST"],
            name="booking_cancel",
        ),
        Route("/bookings/{id}.ics", calendars.booking_ics, name="booking_ics"),
        Route("/calendar/{token:segment}.ics", calendars.calendar_feed, name="calendar_feed"),
    ]
