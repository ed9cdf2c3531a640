"""The brigade's pages: the schedule, a session's page with its booking form, the schedule
builder and the report. Thin: each parses, calls a service, and renders or redirects."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.board.access import BoardAccess, board_access
from toolbox.board.shared import kept_rendering
from toolbox.brigade import bookings, claims, schedule
from toolbox.brigade.browse import STATES, ScheduleFilters, schedule_context
from toolbox.brigade.jinja import booking_state_name
from toolbox.brigade.models import Outcome
from toolbox.brigade.notify import notifier
from toolbox.brigade.report import report_rows
from toolbox.brigade.schemas import (
    BookingIn,
    BrigadeSettingsIn,
    ClaimIn,
    ExpertProfileIn,
    GridIn,
    OutcomeIn,
    SlotIn,
    SlotPatch,
)
from toolbox.brigade.slots import experts_by_id, slot_on_board
from toolbox.csv_cells import neutralised
from toolbox.db import utcnow
from toolbox.errors import DomainError, NotFound
from toolbox.i18n import gettext as _
from toolbox.renderings import SharedPage
from toolbox.templating import render, render_shared
from toolbox.urls import url_path
from toolbox.validation import parse_form
from toolbox.web import (
    current_user,
    database,
    form_fields,
    int_param,
    see_other,
    shared_page_response,
)


async def brigade_page(request: Request) -> Response:
    """The schedule, rendered once per change: for all visitors together, and for each person
    signed in on their own (their bookings, the sessions they claimed, their profile, and for a
    facilitator every booking's details); only the account menu is rendered per request.

    Kept per filter set too, and at most a minute: what is past and what can still be booked
    change with the clock, not only with the board."""
    user = current_user(request)
    filters = ScheduleFilters.from_query(request.query_params)
    built = _built(request)

    async def render(session: AsyncSession, access: BoardAccess) -> SharedPage:
        context = await schedule_context(session, access, filters)
        profile = None
        if access.is_expert and access.user:
            profile = await claims.expert_profile(session, access.board.id, access.user.id)
        return render_shared(
            "brigade/brigade.html",
            {
                "access": access,
                "board": access.board,
                "profile": profile,
                # Who is here changes without a change to the board: the live socket tells it.
                "presence": None,
                "legend": STATES,
                "built": built,
                **context,
            },
        )

    # Per person where it must be: one's own bookings are in it.
    minute = int(time.time() // 60)
    what = ("brigade_page", user.id if user else None, filters, built, minute)
    page = await kept_rendering(request, what, render)
    return shared_page_response(request, page)


def _built(request: Request) -> int:
    """How many sessions the schedule builder just added (its redirect says), to confirm it."""
    built = request.query_params.get("built", "")
    return int(built) if built.isdigit() and len(built) < 5 else 0


async def slot_page(
    request: Request,
    *,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        slot = await slot_on_board(session, access, int_param(request.path_params["id"]))
        booked = (await bookings.bookings_of_slots(session, [slot.id])).get(slot.id, [])
        experts = await experts_by_id(session, [slot])
        available = await claims.board_experts(session, access.board.id)
        return render(
            request,
            "brigade/slot.html",
            {
                "access": access,
                "board": access.board,
                "slot": slot,
                "expert": experts.get(slot.expert_id or 0),
                "expert_profile": next(
                    (p for person, p in available if person.id == slot.expert_id), None
                ),
                "bookings": booked,
                "experts_available": available,
                "error": error,
                "values": values or {},
                "outcomes": list(Outcome),
                "now": utcnow(),
            },
            status=status,
        )


async def slot_action(request: Request) -> Response:
    slug = request.path_params["slug"]
    slot_id = int_param(request.path_params["id"])
    action = request.path_params["action"]
    if action not in {"claim", "release", "assign", "cancel", "book", "outcome", "edit"}:
        raise NotFound(_("There is nothing at this address."))
    fields = await form_fields(request)
    user, db = current_user(request), database(request)
    try:
        if action == "book":
            data = parse_form(
                BookingIn,
                {k: v for k, v in fields.items() if k in {"need", "organisation", "waitlist"}},
            )
            await bookings.book(db, user, slot_id, data, notifier(request), board_slug=slug)
            return see_other(url_path("slot", slug=slug, id=slot_id))
        async with db.write() as session:
            access = await board_access(session, slug, user)
            if action == "claim":
                await claims.claim_slot(session, access, slot_id)
            elif action == "assign":
                claim = parse_form(ClaimIn, {"expert_id": fields.get("expert_id")})
                await claims.claim_slot(session, access, slot_id, claim.expert_id)
            elif action == "release":
                await claims.release_slot(session, access, slot_id, notifier(request))
            elif action == "cancel":
                await schedule.cancel_slot(session, access, slot_id, notifier(request))
            elif action == "edit":
                patch = parse_form(
                    SlotPatch, {k: v for k, v in fields.items() if k in {"place", "capacity"}}
                )
                await schedule.update_slot(session, access, slot_id, patch)
            elif action == "outcome":
                choice = parse_form(OutcomeIn, {"outcome": fields.get("outcome")})
                await bookings.mark_outcome(session, access, slot_id, choice.outcome)
    except DomainError as error:
        if error.status not in {409, 422}:
            raise
        return await slot_page(request, error=error, values=fields, status=error.status)
    return see_other(url_path("slot", slug=slug, id=slot_id))


async def cancel_booking(request: Request) -> Response:
    slug = request.path_params["slug"]
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        booking = await bookings.cancel_booking(
            session, access, int_param(request.path_params["id"]), notifier(request)
        )
        slot_id = booking.slot_id
    return see_other(url_path("slot", slug=slug, id=slot_id))


async def save_profile(request: Request) -> Response:
    slug = request.path_params["slug"]
    fields = await form_fields(request)
    data = parse_form(
        ExpertProfileIn,
        {k: v for k, v in fields.items() if k in {"specialities", "languages", "bio"}},
    )
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        await claims.save_profile(session, access, data)
    return see_other(url_path("brigade", slug=slug) + "#profile")


async def schedule_form(
    request: Request,
    *,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        return render(
            request,
            "brigade/schedule.html",
            {"access": access, "board": access.board, "error": error, "values": values or {}},
            status=status,
        )


async def build_schedule(request: Request) -> Response:
    slug = request.path_params["slug"]
    fields = await form_fields(request)
    grid_fields = {"days", "start", "end", "minutes", "gap", "places", "video_url", "capacity"}
    slot_fields = {"starts_at", "ends_at", "place", "video_url", "capacity"}
    is_grid = fields.get("kind") != "single"
    try:
        wanted = grid_fields if is_grid else slot_fields
        data = {k: v for k, v in fields.items() if k in wanted and v != ""}
        async with database(request).write() as session:
            access = await board_access(session, slug, current_user(request))
            if is_grid:
                built = len(await schedule.create_grid(session, access, parse_form(GridIn, data)))
            else:
                await schedule.create_slot(session, access, parse_form(SlotIn, data))
                built = 1
    except DomainError as error:
        if error.status not in {409, 422}:
            raise
        return await schedule_form(request, error=error, values=fields, status=error.status)
    return see_other(url_path("brigade", slug=slug) + f"?built={built}")


async def save_settings(request: Request) -> Response:
    """The board's cancellation deadline: participants cancel online until N hours before."""
    slug = request.path_params["slug"]
    fields = await form_fields(request)
    data = parse_form(BrigadeSettingsIn, {"cancel_hours": fields.get("cancel_hours")})
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        await schedule.set_cancel_hours(session, access, data.cancel_hours)
    return see_other(url_path("schedule", slug=slug))


async def report_page(request: Request) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        rows = await report_rows(session, access, with_needs=False)
        return render(
            request, "brigade/report.html", {"access": access, "board": access.board, "rows": rows}
        )


async def report_csv(request: Request) -> Response:
    with_needs = request.query_params.get("needs") == "1"
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        rows = await report_rows(session, access, with_needs=with_needs)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [
        _("Date"),
        _("Start"),
        _("End"),
        _("Place"),
        _("Expert"),
        _("Status"),
        _("Outcome"),
        _("Organisation"),
        _("Participant"),
        _("Booking"),
    ]
    writer.writerow([*header, _("Need")] if with_needs else header)
    for row in rows:
        values = [
            row.date,
            row.start,
            row.end,
            row.place,
            row.expert,
            row.status,
            row.outcome,
            row.organisation,
            row.participant,
            booking_state_name(row.booking) if row.booking else "",
        ]
        writer.writerow(neutralised([*values, row.need] if with_needs else values))
    filename = f"{access.board.slug}-brigade.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
