"""Experts and their slots: profiles, claiming and releasing, assignment by facilitators.

Two experts never hold one slot: a claim is a conditional UPDATE (`expert_id IS NULL`) that the
database applies to one of them only. An expert never holds two overlapping slots: the overlap
check runs under a lock named for that expert, so two claims of theirs cannot both pass it.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess
from toolbox.board.models import Membership, Role
from toolbox.brigade.models import Booking, BookingStatus, ExpertProfile, Slot
from toolbox.brigade.notify import Notifier
from toolbox.brigade.schemas import ExpertProfileIn
from toolbox.brigade.slots import record_slot_event, slot_on_board
from toolbox.db import serialize_on, utcnow
from toolbox.errors import Conflict, Forbidden, Invalid
from toolbox.i18n import gettext as _
from toolbox.mail.messages import MailKind
from toolbox.principal import Actor


async def board_experts(
    session: AsyncSession, board_id: int
) -> list[tuple[User, ExpertProfile | None]]:
    rows = await session.execute(
        select(User, ExpertProfile)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(
            ExpertProfile,
            (ExpertProfile.user_id == User.id) & (ExpertProfile.board_id == board_id),
        )
        .where(Membership.board_id == board_id, Membership.role == Role.expert)
        .order_by(User.name, User.email)
    )
    return [(user, profile) for user, profile in rows.all()]


async def save_profile(
    session: AsyncSession, access: BoardAccess, data: ExpertProfileIn
) -> ExpertProfile:
    if not access.is_expert or access.user is None:
        raise Forbidden(_("Only the brigade's experts have a profile."))
    profile = await session.scalar(
        select(ExpertProfile).where(
            ExpertProfile.board_id == access.board.id, ExpertProfile.user_id == access.user.id
        )
    )
    if profile is None:
        profile = ExpertProfile(board_id=access.board.id, user_id=access.user.id)
        session.add(profile)
    profile.specialities = data.specialities
    profile.languages = data.languages
    profile.bio = data.bio.strip()
    await session.flush()
    return profile


async def _expert_for(session: AsyncSession, access: BoardAccess, expert_id: int | None) -> Actor:
    """Who takes the slot: the expert themself, or the one a facilitator names."""
    if expert_id is None or (access.user and expert_id == access.user.id and access.is_expert):
        if not access.is_expert or access.user is None:
            raise Forbidden(_("Only an expert of the brigade can claim a session."))
        return access.user
    access.require_facilitator()
    role = await session.scalar(
        select(Membership.role).where(
            Membership.board_id == access.board.id, Membership.user_id == expert_id
        )
    )
    expert = await session.get(User, expert_id)
    if expert is None or role != Role.expert:
        raise Invalid(_("This person is not an expert of the brigade."), field="expert_id")
    return expert


async def claim_slot(
    session: AsyncSession, access: BoardAccess, slot_id: int, expert_id: int | None = None
) -> Slot:
    expert = await _expert_for(session, access, expert_id)
    slot = await slot_on_board(session, access, slot_id)
    if slot.cancelled_at is not None:
        raise Conflict(_("This session is cancelled."), code="slot_cancelled")
    if slot.ends_at <= utcnow():
        raise Conflict(_("This session is over."), code="slot_past")
    await serialize_on(session, f"expert:{expert.id}")
    overlapping = await session.scalar(
        select(Slot.id).where(
            Slot.expert_id == expert.id,
            Slot.cancelled_at.is_(None),
            Slot.starts_at < slot.ends_at,
            Slot.ends_at > slot.starts_at,
            Slot.id != slot.id,
        )
    )
    if overlapping is not None:
        raise Conflict(
            _("%(name)s already holds a session at this time.", name=expert.display_name),
            code="expert_busy",
        )
    claimed = await session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.expert_id.is_(None), Slot.cancelled_at.is_(None))
        .values(expert_id=expert.id, sequence=Slot.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Another expert already holds this session."), code="slot_taken")
    await session.refresh(slot)
    await record_slot_event(session, access, "slot.claimed", slot)
    return slot


async def release_slot(
    session: AsyncSession, access: BoardAccess, slot_id: int, notifier: Notifier | None
) -> Slot:
    """The expert lets the slot go (or a facilitator unassigns them); whoever booked is told.

    The bookings stay: the facilitators can assign another expert to the same session.
    """
    slot = await slot_on_board(session, access, slot_id)
    if slot.expert_id is None:
        raise Conflict(_("Nobody holds this session."), code="slot_unclaimed")
    if not access.is_facilitator and (access.user is None or slot.expert_id != access.user.id):
        raise Forbidden(_("Only the session's expert or a facilitator can release it."))
    slot.expert_id = None
    slot.sequence += 1
    slot.updated_at = utcnow()
    if notifier:
        bookings = await session.scalars(
            select(Booking).where(
                Booking.slot_id == slot.id, Booking.status == BookingStatus.active
            )
        )
        for booking in bookings:
            await notifier.booking(
                session,
                MailKind.release,
                booking=booking,
                slot=slot,
                board=access.board,
                recipient=await session.get(User, booking.participant_id),
            )
    await record_slot_event(session, access, "slot.released", slot)
    return slot


async def expert_profiles(
    session: AsyncSession, board_id: int, user_ids: list[int]
) -> dict[int, ExpertProfile]:
    """The profiles of these experts on this board, by user id (those who wrote one)."""
    wanted = {user_id for user_id in user_ids if user_id}
    if not wanted:
        return {}
    rows = await session.scalars(
        select(ExpertProfile).where(
            ExpertProfile.board_id == board_id, ExpertProfile.user_id.in_(wanted)
        )
    )
    return {profile.user_id: profile for profile in rows}


async def expert_profile(
    session: AsyncSession, board_id: int, user_id: int
) -> ExpertProfile | None:
    return await session.scalar(
        select(ExpertProfile).where(
            ExpertProfile.board_id == board_id, ExpertProfile.user_id == user_id
        )
    )
