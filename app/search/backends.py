"""Two ways to match words, behind one interface: PostgreSQL full-text search, and a plain match on SQLite.

Both fold accents and case the same way (app/search/text.py) and ask for every word of the query. PostgreSQL
matches words by their beginning ("podcast" finds "podcasts") and ranks titles above summaries; SQLite finds
the words anywhere in the text and puts results whose title holds every word first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal_column
from sqlalchemy.engine import Dialect

from app.search.text import ACCENTED, PLAIN, fold

SQLITE_FOLD = "search_fold"  # the SQL function register_search adds to every SQLite connection


def _sql_string(value: str) -> ColumnElement:
    """A constant written into the statement (not a bound parameter), so a PostgreSQL expression index on the
    same expression can serve the query."""
    return literal_column("'" + value.replace("'", "''") + "'")


@dataclass(frozen=True)
class Fields:
    """What a kind of record is searched by: its title-like column first (it ranks higher), then the others."""

    title: ColumnElement
    others: tuple[ColumnElement, ...] = ()


class PostgresBackend:
    """to_tsvector('simple', ...) @@ to_tsquery('simple', 'word:* & ...'): no stemming and no stop words, since
    the portal's text is English and French, often both at once."""

    name = "postgresql"

    def _vector_of(self, column: ColumnElement, weight: str) -> ColumnElement:
        folded = func.translate(func.lower(func.coalesce(column, _sql_string(""))), _sql_string(ACCENTED),
                                _sql_string(PLAIN))
        return func.setweight(func.to_tsvector(literal_column("'simple'::regconfig"), folded), _sql_string(weight))

    def vector(self, fields: Fields) -> ColumnElement:
        vector = self._vector_of(fields.title, "A")
        for column in fields.others:
            vector = vector.op("||")(self._vector_of(column, "B"))
        return vector

    @staticmethod
    def tsquery_text(words: list[str]) -> str:
        """'word':* & 'other':* — words hold only letters and digits, so quoting them is enough."""
        return " & ".join(f"'{word}':*" for word in words)

    def _query(self, words: list[str]) -> ColumnElement:
        return func.to_tsquery(literal_column("'simple'::regconfig"), self.tsquery_text(words))

    def match(self, fields: Fields, words: list[str]) -> ColumnElement:
        return self.vector(fields).op("@@")(self._query(words))

    def rank(self, fields: Fields, words: list[str]) -> ColumnElement:
        return func.ts_rank(self.vector(fields), self._query(words))

    def index_sql(self, table: str, fields: Fields, name: str) -> str:
        """The GIN expression index that lets PostgreSQL answer match() without reading every row."""
        from sqlalchemy.dialects import postgresql

        expression = self.vector(fields).compile(dialect=postgresql.dialect(),
                                                 compile_kwargs={"literal_binds": True})
        expression = str(expression).replace(f"{table}.", "")
        return f"CREATE INDEX {name} ON {table} USING gin (({expression}))"


class SqliteBackend:
    """Every word must appear, folded, somewhere in the folded text (search_fold is Python's fold())."""

    name = "sqlite"

    @staticmethod
    def _folded(column: ColumnElement) -> ColumnElement:
        return getattr(func, SQLITE_FOLD)(column)

    def _all_in(self, columns: tuple[ColumnElement, ...], words: list[str]) -> ColumnElement:
        text = self._folded(columns[0])
        for column in columns[1:]:
            text = text.op("||")(" ").op("||")(self._folded(column))
        return and_(*(func.instr(text, fold(word)) > 0 for word in words))

    def match(self, fields: Fields, words: list[str]) -> ColumnElement:
        return self._all_in((fields.title, *fields.others), words)

    def rank(self, fields: Fields, words: list[str]) -> ColumnElement:
        return case((self._all_in((fields.title,), words), 1), else_=0)


def backend_for(dialect: Dialect) -> PostgresBackend | SqliteBackend:
    return PostgresBackend() if dialect.name == "postgresql" else SqliteBackend()


def register_sqlite_fold(dbapi_connection, _record=None) -> None:
    """Give a SQLite connection the fold() function, as search_fold(text)."""
    dbapi_connection.create_function(SQLITE_FOLD, 1, lambda value: fold(value) if value is not None else "",
                                     deterministic=True)
