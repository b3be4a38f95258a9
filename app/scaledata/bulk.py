"""Bulk writing: ids handed out from each table's current maximum, rows inserted in chunks through Core (no ORM
object per row), and PostgreSQL's sequences moved past the ids written so later inserts do not collide."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, func, insert, select, text

from app import db

CHUNK = 5_000  # rows per executemany: big enough to be fast, small enough to keep memory flat


class Ids:
    """The next free id of every table, read once from the database (the data is added to what is there)."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: Table, count: int = 1) -> int:
        """The first of `count` consecutive fresh ids for the table."""
        if table.name not in self._next:
            self._next[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        first = self._next[table.name]
        self._next[table.name] = first + count
        return first

    def one(self, table: Table) -> int:
        return self.take(table)

    @property
    def tables(self) -> list[str]:
        return list(self._next)


class Writer:
    """Collects rows per table and writes them in chunks, tables in the metadata's dependency order. Each row is
    added after the rows it points to, so at any flush those are already written or pending in a table written
    earlier in the same flush."""

    def __init__(self, ids: Ids) -> None:
        from app.db import Base

        self.ids = ids
        self.counts: dict[str, int] = {}
        self._order = {table.name: index for index, table in enumerate(Base.metadata.sorted_tables)}
        self._pending: dict[str, tuple[Table, list[dict]]] = {}

    def add(self, table: Table, row: dict) -> dict:
        rows = self._pending.setdefault(table.name, (table, []))[1]
        rows.append(row)
        if len(rows) >= CHUNK:
            self.flush()
        return row

    def flush(self) -> None:
        for name in sorted(self._pending, key=self._order.__getitem__):
            table, rows = self._pending[name]
            if rows:
                write(table, rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                rows.clear()


def write(table: Table, rows: list[dict]) -> None:
    """One executemany per chunk; every row must carry the same keys."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def move_sequences(tables: Iterable[str]) -> None:
    """PostgreSQL: each table's id sequence resumes after the largest id (explicit ids do not advance it)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    from app.db import Base

    for name in tables:
        # Built from the table's metadata, not from text: the name is quoted by SQLAlchemy, never pasted in.
        table = Base.metadata.tables[name]
        next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), next_id, False)))


def analyze() -> None:
    """PostgreSQL, after the load is committed: refresh the planner's statistics and the visibility map
    (autovacuum would, minutes later). Until then the planner plans for the tables as they were (a hash join over
    every user where an index lookup is right) and index-only scans still visit the table."""
    engine = db.session.get_bind()
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
