"""One Core SELECT compiled once for a dialect, to be run on a pooled DBAPI connection.

`Database.first_row` runs the few reads nearly every request makes this way (who is asking; a
slot with its board and the caller's role). The statement stays an ordinary `select()`, so
SQLAlchemy writes its SQL and the columns' own types convert its parameters and values; what is
saved is the per-execution machinery of a `Connection` (execution context, events, result
object), which costs several times what the database spends on such a read.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ClauseElement

Converter = Callable[[Any], Any] | None


class DriverReadFailed(Exception):
    """The driver raised while running a `SingleRead` (the connection, if lost, was
    invalidated); the caller asks again through SQLAlchemy's `Connection`."""


@dataclass(frozen=True, slots=True)
class SingleRead:
    sql: str
    #: The names of the statement's parameters, in the order its SQL takes them.
    parameters: tuple[str, ...]
    bind_converters: tuple[Converter, ...]
    result_converters: tuple[Converter, ...] | None
    #: A named tuple with the statement's column names (a `Row` minus its machinery).
    row_type: type[tuple[Any, ...]] | None

    @classmethod
    def compile(cls, statement: Executable, dialect: Dialect) -> SingleRead:
        assert isinstance(statement, ClauseElement)
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        # Both drivers take positional parameters (SQLite `?`, asyncpg `$1`).
        names = tuple(compiled.positiontup or ())
        binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        columns = getattr(statement, "selected_columns", None)
        if columns is None and statement.is_dml:  # an INSERT or UPDATE: its RETURNING, if any
            columns = cast(UpdateBase, statement).exported_columns or None
        if columns is None:  # a text() statement, a write: values as the driver gives them
            return cls(compiled.string, names, binds, None, None)
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        keys = [column.key or f"column_{n}" for n, column in enumerate(columns)]
        row_type = collections.namedtuple("Row", keys, rename=True)  # type: ignore[misc]
        return cls(compiled.string, names, binds, results, row_type)

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [
            convert(values[name]) if convert else values[name]
            for name, convert in zip(self.parameters, self.bind_converters, strict=True)
        ]

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """The row from the driver's values."""
        if self.result_converters is None:
            return tuple(values)
        return self.named(
            [
                convert(value) if convert else value
                for value, convert in zip(values, self.result_converters, strict=True)
            ]
        )

    def named(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """The row from values already converted (as a `Connection` returns them)."""
        return tuple(values) if self.row_type is None else self.row_type(*values)
