"""Cards as CSV: one row per card, under the header

    column,title,url,description,kind,languages,labels

`column` and `title` are required, the other columns may be left out. `kind` is one of the kinds
of resources (empty: other); `languages` and `labels` hold several values separated by commas.
The file is UTF-8 (a byte-order mark is fine); a file saved by a spreadsheet set to French, with
semicolons between fields, is read too. Every row is checked before anything is written: one
wrong row and nothing is imported, and every wrong row is listed with its line number.

The export writes the same header back, open columns and cards in board order, so an exported
file imports into an empty board as the same cards. A cell a spreadsheet would run as a formula
gets a leading apostrophe on export (`toolbox.csv_cells`), taken off again on import.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board, Kind
from toolbox.board.schemas import Description, Languages, Title, WebLink, Words
from toolbox.board.services import board_columns, cards_by_column
from toolbox.csv_cells import neutralised, restore
from toolbox.errors import Invalid
from toolbox.i18n import gettext as _
from toolbox.transfer.files import decode_text
from toolbox.transfer.plan import ImportPlan, PlannedCard, PlannedColumn, PlannedLabel
from toolbox.validation import invalid_from

HEADER = ("column", "title", "url", "description", "kind", "languages", "labels")
REQUIRED = ("column", "title")
# Show this many wrong rows in the message; a file wrong throughout needs fixing as a whole.
ERRORS_SHOWN = 20


def _kind_or_other(value: Any) -> Any:
    return Kind.other.value if isinstance(value, str) and not value.strip() else value


class CsvRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: Title
    title: Title
    url: WebLink = None
    description: Description = ""
    kind: Annotated[Kind, BeforeValidator(_kind_or_other)] = Kind.other
    languages: Languages = []
    labels: Words = []


class RowErrors(Invalid):
    """Some rows of a CSV file are wrong: `rows` holds (line, column or None, sentence)."""

    def __init__(self, rows: list[tuple[int, str | None, str]]) -> None:
        lines = [
            _("Line %(line)s, %(field)s: %(problem)s", line=line, field=field, problem=message)
            if field
            else _("Line %(line)s: %(problem)s", line=line, problem=message)
            for line, field, message in rows[:ERRORS_SHOWN]
        ]
        if len(rows) > ERRORS_SHOWN:
            lines.append(_("… and %(count)s more.", count=len(rows) - ERRORS_SHOWN))
        heading = _("%(count)s rows are wrong; nothing was imported.", count=len(rows))
        super().__init__("\n".join([heading, *lines]), field="file")
        self.rows = rows


def read_csv(data: bytes) -> ImportPlan:
    text = decode_text(data)
    if not text.strip():
        raise Invalid(_("The file is empty."), field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip().casefold() for name in next(reader)]
        _check_header(header)
        plan = ImportPlan(source="csv", title="")
        columns: dict[str, PlannedColumn] = {}
        labels: dict[str, PlannedLabel] = {}
        errors: list[tuple[int, str | None, str]] = []
        line = reader.line_num + 1
        for values in reader:
            row_line, line = line, reader.line_num + 1
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                message = _(
                    "This row has %(count)s fields, the header %(expected)s.",
                    count=len(values),
                    expected=len(header),
                )
                errors.append((row_line, None, message))
                continue
            try:
                cells = [restore(value) for value in values]
                row = CsvRow.model_validate(dict(zip(header, cells, strict=False)), strict=False)
            except ValidationError as error:
                invalid = invalid_from(error)
                errors.append((row_line, invalid.field, invalid.message))
                continue
            column = columns.setdefault(row.column.casefold(), PlannedColumn(title=row.column))
            column.cards.append(
                PlannedCard(
                    title=row.title,
                    description=row.description,
                    url=row.url,
                    kind=row.kind,
                    languages=row.languages,
                    labels=row.labels,
                )
            )
            for name in row.labels:
                labels.setdefault(name.casefold(), PlannedLabel(name=name))
    except csv.Error as error:
        raise Invalid(
            _(
                "Line %(line)s cannot be read as CSV (%(detail)s).",
                line=reader.line_num,
                detail=str(error),
            ),
            field="file",
        ) from None
    if errors:
        raise RowErrors(errors)
    plan.columns = list(columns.values())
    plan.labels = list(labels.values())
    return plan


def _check_header(header: list[str]) -> None:
    expected = ",".join(HEADER)
    unknown = [name for name in header if name not in HEADER]
    if unknown:
        raise Invalid(
            _(
                "The CSV header has unknown columns: %(names)s. It must be: %(header)s.",
                names=", ".join(unknown),
                header=expected,
            ),
            field="file",
        )
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise Invalid(
            _(
                "The CSV header lacks: %(names)s. It must be: %(header)s.",
                names=", ".join(missing),
                header=expected,
            ),
            field="file",
        )
    if len(set(header)) != len(header):
        raise Invalid(
            _("The CSV header names a column twice. It must be: %(header)s.", header=expected),
            field="file",
        )


async def write_csv(session: AsyncSession, board: Board) -> str:
    """The board's open cards as CSV, in board order, under `HEADER`, no cell a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    grouped = await cards_by_column(session, board)
    for column in await board_columns(session, board):
        for card in grouped.get(column.id, []):
            writer.writerow(
                neutralised(
                    [
                        column.title,
                        card.title,
                        card.url or "",
                        card.description,
                        card.kind.value,
                        ", ".join(card.languages),
                        ", ".join(label.name for label in card.labels),
                    ]
                )
            )
    return out.getvalue()
