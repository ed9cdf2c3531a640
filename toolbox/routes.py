"""Every URL of the app, in one table."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from toolbox.accounts import views as accounts
from toolbox.board import api as board_api
from toolbox.board import manage
from toolbox.board import views as board
from toolbox.brigade import api as brigade_api
from toolbox.brigade import calendar_views as calendars
from toolbox.brigade import views as brigade
from toolbox.me import views as me
from toolbox.openapi import openapi
from toolbox.transfer import views as transfer

STATIC_DIR = "static"

api_routes: list[BaseRoute] = [
    Route("/openapi.json", openapi),
    Route("/boards", board_api.list_boards, methods=["GET"]),
    Route("/boards", board_api.create_board, methods=["POST"]),
    Route("/boards/{slug}", board_api.get_board),
    Route("/boards/{slug}/columns", board_api.create_column, methods=["POST"]),
    Route("/boards/{slug}/cards", board_api.create_card, methods=["POST"]),
    Route("/boards/{slug}/search", board_api.search),
    Route("/boards/{slug}/events", board_api.events),
    Route("/columns/{id}", board_api.update_column, methods=["PATCH"]),
    Route("/columns/{id}", board_api.archive_column, methods=["DELETE"]),
    Route("/columns/{id}/move", board_api.move_column, methods=["POST"]),
    Route("/cards/{id}", board_api.get_card, methods=["GET"]),
    Route("/cards/{id}", board_api.update_card, methods=["PATCH"]),
    Route("/cards/{id}", board_api.archive_card, methods=["DELETE"]),
    Route("/cards/{id}/move", board_api.move_card, methods=["POST"]),
    Route("/cards/{id}/restore", board_api.restore_card, methods=["POST"]),
    Route("/boards/{slug}/slots", brigade_api.list_slots, methods=["GET"]),
    Route("/boards/{slug}/slots", brigade_api.create_slots, methods=["POST"]),
    Route("/boards/{slug}/experts", brigade_api.list_experts, methods=["GET"]),
    Route("/boards/{slug}/experts/me", brigade_api.save_profile, methods=["PUT"]),
    Route("/slots/{id}", brigade_api.update_slot, methods=["PATCH"]),
    Route("/slots/{id}", brigade_api.cancel_slot, methods=["DELETE"]),
    Route("/slots/{id}/claim", brigade_api.claim, methods=["POST"]),
    Route("/slots/{id}/claim", brigade_api.release, methods=["DELETE"]),
    Route("/slots/{id}/bookings", brigade_api.book, methods=["POST"]),
    Route("/slots/{id}/outcome", brigade_api.outcome, methods=["POST"]),
    Route("/bookings/{id}", brigade_api.get_booking, methods=["GET"]),
    Route("/bookings/{id}", brigade_api.delete_booking, methods=["DELETE"]),
]


def routes(static_dir: str = STATIC_DIR) -> list[BaseRoute]:
    return [
        # The router tries routes in order: the API and the static files, the busiest and the
        # ones whose prefix no page shares, come first, so that they skip forty page patterns.
        Mount("/api/v1", routes=api_routes),
        Mount("/static", app=StaticFiles(directory=static_dir), name="static"),
        Route("/", board.home),
        Route("/boards", board.create_board_form, methods=["POST"]),
        Route("/login", accounts.login_form, methods=["GET"]),
        Route("/login", accounts.login, methods=["POST"]),
        Route("/logout", accounts.logout, methods=["POST"]),
        Route("/language", accounts.choose_language, methods=["POST"]),
        Route("/me", me.me),
        Route("/me/tokens", me.new_api_token, methods=["POST"]),
        Route("/invite/{token}", manage.invitation_page, methods=["GET"]),
        Route("/invite/{token}", manage.accept_invitation, methods=["POST"]),
        Route("/b/{slug}", board.board_page),
        # /b/{slug}/ws, the board's websocket: served by toolbox.app.ToolboxApp (live/views.py)
        Route("/b/{slug}/manage", manage.manage_page),
        Route("/b/{slug}/invitations", manage.invite, methods=["POST"]),
        Route("/b/{slug}/members/{id}/role", manage.change_role, methods=["POST"]),
        Route("/b/{slug}/import", transfer.upload, methods=["POST"]),
        Route("/b/{slug}/import/{job}", transfer.job_page),
        Route("/b/{slug}/notes", transfer.notes_page),
        Route("/b/{slug}/export.csv", transfer.export_csv),
        Route("/b/{slug}/export.json", transfer.export_json),
        Route("/b/{slug}/columns", board.create_column, methods=["POST"]),
        Route("/b/{slug}/columns/{id}/{action:str}", board.column_action, methods=["POST"]),
        Route("/b/{slug}/cards/new", board.new_card_form),
        Route("/b/{slug}/cards", board.create_card, methods=["POST"]),
        Route("/b/{slug}/cards/{id}", board.card_page, methods=["GET"]),
        Route("/b/{slug}/cards/{id}/edit", board.edit_card_form, methods=["GET"]),
        Route("/b/{slug}/cards/{id}/edit", board.update_card, methods=["POST"]),
        Route("/b/{slug}/cards/{id}/{action:str}", board.card_action, methods=["POST"]),
        Route("/b/{slug}/brigade", brigade.brigade_page),
        Route("/b/{slug}/brigade/schedule", brigade.schedule_form, methods=["GET"]),
        Route("/b/{slug}/brigade/schedule", brigade.build_schedule, methods=["POST"]),
        Route("/b/{slug}/brigade/profile", brigade.save_profile, methods=["POST"]),
        Route("/b/{slug}/brigade/settings", brigade.save_settings, methods=["POST"]),
        Route("/b/{slug}/brigade/report", brigade.report_page),
        Route("/b/{slug}/brigade/report.csv", brigade.report_csv),
        Route("/b/{slug}/brigade/slots/{id}", brigade.slot_page, methods=["GET"]),
        Route("/b/{slug}/brigade/slots/{id}/{action:str}", brigade.slot_action, methods=["POST"]),
        Route("/b/{slug}/brigade/bookings/{id}/cancel", brigade.cancel_booking, methods=["POST"]),
        Route("/bookings/{id}.ics", calendars.booking_ics),
        Route("/calendar/{token}.ics", calendars.calendar_feed),
    ]
