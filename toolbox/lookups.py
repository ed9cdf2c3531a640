"""The few single-row reads that nearly every request makes, run on the database driver itself.

Who is asking (a session cookie, an API token) and, for a booking, the slot with its board and
the caller's role: through an ORM session each of these costs ≈ 0.65 ms of CPU on our 2-core
machine (session, pooled connection, transaction, execution context, result, identity map),
while SQLite answers in ≈ 15 µs and asyncpg in ≈ 0.2 ms. When two hundred people press "Book"
at the same moment, the last one waits for two hundred times that (docs/performance.md,
"Contention").

A `Lookup` is an ordinary SQLAlchemy `select()`, compiled once per dialect; its rows are read
straight from the driver, converted by the columns' own types (so a `UTCDateTime` comes back
aware, a `Role` as the enum), and turned into *detached* model instances: exactly what the ORM
hands out once its session is closed, which is how these objects were used before. They are for
reading and for permission checks only; a change goes through `Database.write()` and its session,
which loads what it changes again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute, make_transient_to_detached
from sqlalchemy.sql.elements import ColumnElement

from toolbox.db import Database, ModelBase

#: A part of a lookup's row: a whole model (all its columns) or one column.
Part = type[ModelBase] | ColumnElement[Any] | QueryableAttribute[Any]
Converter = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    parameters: tuple[str, ...]
    bind_converters: tuple[Converter, ...]
    result_converters: tuple[Converter, ...]


class Lookup:
    """`select(*parts)` narrowed by `build`, read as one row of parts: model instances (detached)
    for the models, plain values for the columns."""

    def __init__(self, parts: Sequence[Part], build: Callable[[Select[Any]], Select[Any]]) -> None:
        columns: list[Any] = []
        #: per part: (model, attribute names, where its primary key is) or None for a column
        self._shapes: list[tuple[type[ModelBase], tuple[str, ...], int] | None] = []
        for part in parts:
            if isinstance(part, type):
                mapper = inspect(part)
                table_columns = list(mapper.local_table.columns)
                columns.extend(table_columns)
                names = tuple(mapper.get_property_by_column(c).key for c in table_columns)
                key = next(i for i, c in enumerate(table_columns) if c.primary_key)
                self._shapes.append((part, names, key))
            else:
                columns.append(part)
                self._shapes.append(None)
        self.statement = build(select(*columns))
        self._compiled: dict[str, _Compiled] = {}

    async def first(self, db: Database, **parameters: Any) -> tuple[Any, ...] | None:
        compiled = self._compiled_for(db.engine.dialect)
        arguments = [
            convert(parameters[name]) if convert else parameters[name]
            for name, convert in zip(compiled.parameters, compiled.bind_converters, strict=True)
        ]
        row = await db.driver_row(compiled.sql, arguments)
        if row is None:
            return None
        values = [
            convert(value) if convert else value
            for value, convert in zip(row, compiled.result_converters, strict=True)
        ]
        return self._assemble(values)

    def _assemble(self, values: list[Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        position = 0
        for shape in self._shapes:
            if shape is None:
                parts.append(values[position])
                position += 1
                continue
            model, names, key = shape
            chunk = values[position : position + len(names)]
            position += len(names)
            if chunk[key] is None:  # an outer join that matched nothing
                parts.append(None)
                continue
            # As the ORM's own loading does: the values go straight into the instance's dict,
            # without the attribute event that `Model(**values)` fires for every column.
            instance = inspect(model).class_manager.new_instance()
            instance.__dict__.update(zip(names, chunk, strict=True))
            make_transient_to_detached(instance)
            parts.append(instance)
        return tuple(parts)

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return compiled


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    sql = statement.compile(dialect=dialect)
    # Both drivers take positional parameters (SQLite `?`, asyncpg `$1`).
    names = tuple(sql.positiontup or ())
    binds = [sql.binds[name].type.dialect_impl(dialect) for name in names]
    results = [column.type.dialect_impl(dialect) for column in statement.selected_columns]
    return _Compiled(
        sql=sql.string,
        parameters=names,
        bind_converters=tuple(kind.bind_processor(dialect) for kind in binds),
        result_converters=tuple(kind.result_processor(dialect, None) for kind in results),
    )
