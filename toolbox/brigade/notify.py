"""Telling people about their sessions: which mail goes to whom after each brigade change.

Services call these inside their transaction; the mail waits in the outbox until commit. The
app builds one `Notifier` (toolbox.app, `app.state.notifier`); the entry points (the pages, the
API) take it from there with `notifier(request)` and hand it to the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.brigade.models import Booking, Slot
from toolbox.mail.messages import MailKind, queue_booking_mail


@dataclass(frozen=True)
class Notifier:
    """Where links in mail point and which language a person without a choice reads."""

    base_url: str
    default_locale: str

    async def booking(
        self,
        session: AsyncSession,
        kind: MailKind,
        *,
        booking: Booking,
        slot: Slot,
        board: Board,
        recipient: User | None,
    ) -> None:
        if recipient is None:
            return

        expert = await session.get(User, slot.expert_id) if slot.expert_id else None
        await queue_booking_mail(
            session,
            kind,
            booking=booking,
            slot=slot,
            board=board,
            recipient=recipient,
            expert_name=expert.display_name if expert else "",
            base_url=self.base_url,
            default_locale=self.default_locale,
        )

    async def cancellation(
        self, session: AsyncSession, *, booking: Booking, slot: Slot, board: Board
    ) -> None:
        """A cancelled seat: the participant and the slot's expert both hear of it."""
        for recipient_id in (booking.participant_id, slot.expert_id):
            if recipient_id is not None:
                await self.booking(
                    session,
                    MailKind.cancellation,
                    booking=booking,
                    slot=slot,
                    board=board,
                    recipient=await session.get(User, recipient_id),
                )


def notifier(connection: HTTPConnection) -> Notifier:
    """The app's one Notifier, for a view to pass to a service."""
    built: Notifier = connection.app.state.notifier
    return built
