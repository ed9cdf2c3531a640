"""The brigade's JSON API (DESIGN.md §6). Slots are public to the board's readers; bookings only
to the participant, the slot's expert and the facilitators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess, board_access, board_access_by_id
from toolbox.board.shared import kept_rendering
from toolbox.brigade import bookings, claims, schedule
from toolbox.brigade.documents import booking_document, slot_document
from toolbox.brigade.models import Booking, Slot
from toolbox.brigade.notify import notifier
from toolbox.brigade.schemas import (
    BookingIn,
    ClaimIn,
    ExpertProfileIn,
    GridIn,
    OutcomeIn,
    SlotIn,
    SlotPatch,
)
from toolbox.brigade.slots import board_slots, experts_by_id, slot_with_access
from toolbox.errors import Invalid, NotFound
from toolbox.i18n import gettext as _
from toolbox.renderings import Document
from toolbox.validation import parse_json
from toolbox.web import (
    current_user,
    database,
    document_response,
    int_param,
    json_document,
    json_response,
)


def _moment(text: str | None, field: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _("This is not a date and time such as 2026-12-01T09:00."), field=field
        ) from None
    return value


async def list_slots(request: Request) -> Response:
    since = _moment(request.query_params.get("from"), "from")
    until = _moment(request.query_params.get("to"), "to")

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        zone = access.board.timezone
        slots = await board_slots(
            session,
            access.board.id,
            since=schedule.in_zone(since, zone) if since else None,
            until=schedule.in_zone(until, zone) if until else None,
        )
        experts = await experts_by_id(session, slots)
        return json_document(
            {"slots": [slot_document(s, experts.get(s.expert_id or 0)) for s in slots]}
        )

    # The same for everyone who may read the board: no need, no name of who booked.
    slots = await kept_rendering(
        request,
        ("slots", since, until),
        render,
    )
    return document_response(request, slots)


async def create_slots(request: Request) -> Response:
    body = await request.body()
    is_grid = b'"days"' in body
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        if is_grid:
            slots = await schedule.create_grid(session, access, parse_json(GridIn, body))
        else:
            slots = [await schedule.create_slot(session, access, parse_json(SlotIn, body))]
        documents = [slot_document(slot, None) for slot in slots]
    return json_response({"slots": documents}, status=201)


async def update_slot(request: Request) -> Response:
    patch = parse_json(SlotPatch, await request.body())
    async with database(request).write() as session:
        access, slot_id = await _slot_access(session, request)
        slot = await schedule.update_slot(session, access, slot_id, patch)
        document = await _slot_document(session, slot)
    return json_response(document)


async def cancel_slot(request: Request) -> Response:
    async with database(request).write() as session:
        access, slot_id = await _slot_access(session, request)
        slot = await schedule.cancel_slot(session, access, slot_id, notifier(request))
        document = await _slot_document(session, slot)
    return json_response(document)


async def claim(request: Request) -> Response:
    data = parse_json(ClaimIn, await request.body())
    async with database(request).write() as session:
        access, slot_id = await _slot_access(session, request)
        slot = await claims.claim_slot(session, access, slot_id, data.expert_id)
        document = await _slot_document(session, slot)
    return json_response(document)


async def release(request: Request) -> Response:
    async with database(request).write() as session:
        access, slot_id = await _slot_access(session, request)
        slot = await claims.release_slot(session, access, slot_id, notifier(request))
        document = await _slot_document(session, slot)
    return json_response(document)


async def book(request: Request) -> Response:
    data = parse_json(BookingIn, await request.body())
    slot_id = int_param(request.path_params["id"])
    booked = await bookings.book(
        database(request), current_user(request), slot_id, data, notifier(request)
    )
    document = booking_document(booked.booking, booked.slot, booked.participant)
    return json_response(document, status=201)


async def outcome(request: Request) -> Response:
    data = parse_json(OutcomeIn, await request.body())
    async with database(request).write() as session:
        access, slot_id = await _slot_access(session, request)
        slot = await bookings.mark_outcome(session, access, slot_id, data.outcome)
        document = await _slot_document(session, slot)
    return json_response(document)


async def get_booking(request: Request) -> Response:
    async with database(request).read() as session:
        access, booking_id = await _booking_board_access(session, request)
        booking, _slot = await bookings.booking_access(session, access, booking_id)
        return json_response(await _booking_document(session, booking))


async def delete_booking(request: Request) -> Response:
    async with database(request).write() as session:
        access, booking_id = await _booking_board_access(session, request)
        booking = await bookings.cancel_booking(session, access, booking_id, notifier(request))
        document = await _booking_document(session, booking)
    return json_response(document)


async def list_experts(request: Request) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        experts = await claims.board_experts(session, access.board.id)
        return json_response(
            {
                "experts": [
                    {
                        "id": user.id,
                        "name": user.display_name,
                        "specialities": profile.specialities if profile else [],
                        "languages": profile.languages if profile else [],
                        "bio": profile.bio if profile else "",
                    }
                    for user, profile in experts
                ]
            }
        )


async def save_profile(request: Request) -> Response:
    data = parse_json(ExpertProfileIn, await request.body())
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        profile = await claims.save_profile(session, access, data)
        document = {
            "specialities": profile.specialities,
            "languages": profile.languages,
            "bio": profile.bio,
        }
    return json_response(document)


async def _slot_access(session: AsyncSession, request: Request) -> tuple[BoardAccess, int]:
    slot_id = int_param(request.path_params["id"])
    access, _slot = await slot_with_access(session, slot_id, current_user(request))
    return access, slot_id


async def _booking_board_access(session: AsyncSession, request: Request) -> tuple[BoardAccess, int]:
    booking_id = int_param(request.path_params["id"])
    booking = await session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return await board_access_by_id(session, booking.board_id, current_user(request)), booking_id


async def _slot_document(session: AsyncSession, slot: Slot) -> dict[str, object]:
    expert = await session.get(User, slot.expert_id) if slot.expert_id else None
    return slot_document(slot, expert)


async def _booking_document(session: AsyncSession, booking: Booking) -> dict[str, object]:
    slot = await session.get(Slot, booking.slot_id)
    participant = await session.get(User, booking.participant_id)
    assert slot is not None and participant is not None
    return booking_document(booking, slot, participant)
