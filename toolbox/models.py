"""Every model, imported in one place so the metadata knows all tables (Alembic, tests)."""

from toolbox.accounts.models import ApiToken, Invitation, LoginSession, Membership, User
from toolbox.board.models import Board, BoardColumn, Card, Label, card_labels
from toolbox.brigade.models import Booking, ExpertProfile, Slot
from toolbox.live.models import BoardEvent
from toolbox.mail.models import OutboxMail

__all__ = [
    "ApiToken",
    "Board",
    "BoardColumn",
    "BoardEvent",
    "Booking",
    "Card",
    "ExpertProfile",
    "Invitation",
    "Label",
    "LoginSession",
    "Membership",
    "OutboxMail",
    "Slot",
    "User",
    "card_labels",
]
