"""The JSON shape of boards, columns and cards: one definition for the API and the events."""

from __future__ import annotations

from typing import Any

from toolbox.board.models import Board, BoardColumn, Card, Label
from toolbox.board.records import CardRecord, LabelRecord


def label_document(label: Label | LabelRecord) -> dict[str, Any]:
    return {"id": label.id, "name": label.name, "colour": label.colour}


def card_document(card: Card | CardRecord) -> dict[str, Any]:
    return {
        "id": card.id,
        "column_id": card.column_id,
        "title": card.title,
        "url": card.url,
        "description": card.description,
        "kind": card.kind.value,
        "languages": list(card.languages or []),
        "audiences": list(card.audiences or []),
        "labels": [label_document(label) for label in card.labels],
        "source": card.source,
        "licence": card.licence,
        "version": card.version,
        "useful": card.useful,
        "archived": card.archived_at is not None,
        "created_at": card.created_at.isoformat(),
        "updated_at": card.updated_at.isoformat(),
    }


def column_document(column: BoardColumn, cards: list[Card] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": column.id,
        "title": column.title,
        "description": column.description,
        "colour": column.colour,
        "archived": column.archived_at is not None,
    }
    if cards is not None:
        document["cards"] = [card_document(card) for card in cards]
    return document


def board_summary(board: Board) -> dict[str, Any]:
    return {
        "slug": board.slug,
        "title": board.title,
        "description": board.description,
        "visibility": board.visibility.value,
        "timezone": board.timezone,
        "seq": board.seq,
    }
