"""Every model, imported in one place so the metadata knows all tables (Alembic, tests)."""

from toolbox.accounts.models import ApiToken, Invitation, LoginSession, Membership, User
from toolbox.board.models import Board, BoardColumn, Card, Label, card_labels
from toolbox.live.models import BoardEvent

__all__ = [
    "ApiToken",
    "Board",
    "BoardColumn",
    "BoardEvent",
    "Card",
    "Invitation",
    "Label",
    "LoginSession",
    "Membership",
    "User",
    "card_labels",
]
