"""Every model, imported in one place so the metadata knows all tables (Alembic, tests)."""

from toolbox.accounts.models import ApiToken, LoginSession, User
from toolbox.board.models import (
    Board,
    BoardColumn,
    Card,
    Invitation,
    Label,
    Membership,
    card_labels,
)
from toolbox.brigade.models import Booking, ExpertProfile, Slot
from toolbox.events.models import BoardEvent
from toolbox.mail.models import OutboxMail
from toolbox.transfer.models import BoardOrigin, ExternalId, HistoryNote, ImportJob

__all__ = [
    "ApiToken",
    "Board",
    "BoardColumn",
    "BoardEvent",
    "BoardOrigin",
    "Booking",
    "Card",
    "ExpertProfile",
    "ExternalId",
    "HistoryNote",
    "ImportJob",
    "Invitation",
    "Label",
    "LoginSession",
    "Membership",
    "OutboxMail",
    "Slot",
    "User",
    "card_labels",
]
