"""The two backends match the same words: accents and case never matter, and every word must be found.

The SQLite backend runs here on an in-memory database whatever TEST_DATABASE_URL says; the backend of the
test database (PostgreSQL's full-text search when TEST_DATABASE_URL names PostgreSQL) runs on a temporary
table of that database, so each run checks both backends against real SQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, event, insert, select, text
from sqlalchemy.dialects import postgresql

from app import db
from app.proposals.models import Proposal
from app.search import services
from app.search import text as words_of
from app.search.backends import Fields, PostgresBackend, SqliteBackend, backend_for, register_sqlite_fold

DOCUMENTS = {
    1: ("L'École des parents", "Ateliers du samedi"),
    2: ("Podcasts pour les jeunes", "Des ÉMISSIONS chaque semaine"),
    3: ("Podcasts", "Une série sur la haine en ligne"),
    4: ("Dialogue interculturel", "Podcasts avec des élèves"),
    5: ("Une chaîne vidéo", None),
}
# The same answer from both backends.
CASES = [
    ("école", {1}),
    ("ECOLE", {1}),
    ("ecole", {1}),
    ("Élèves", {4}),
    ("podcast", {2, 3, 4}),  # the beginning of a word is enough
    ("podcasts jeunes", {2}),  # every word must be found
    ("emissions SEMAINE", {2}),  # words of the summary count too
    ("parents ateliers", {1}),  # one word in the title, one in the summary
    ("haine samedi", set()),  # words of two different records
    ("élèves, podcasts!", {4}),
    ("zebre", set()),
]

_metadata = MetaData()
documents = Table("search_documents", _metadata, Column("id", Integer, primary_key=True), Column("title", Text),
                  Column("summary", Text), prefixes=["TEMPORARY"])
FIELDS = Fields(documents.c.title, (documents.c.summary,))


def _load(connection) -> None:
    documents.create(connection)
    connection.execute(insert(documents), [{"id": key, "title": title, "summary": summary}
                                           for key, (title, summary) in DOCUMENTS.items()])


def _found(connection, backend, query: str) -> list[int]:
    words = words_of.words(query)
    statement = (select(documents.c.id).where(backend.match(FIELDS, words))
                 .order_by(backend.rank(FIELDS, words).desc(), documents.c.id))
    return list(connection.scalars(statement))


@pytest.fixture
def sqlite_connection():
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", register_sqlite_fold)
    with engine.connect() as connection:
        _load(connection)
        yield connection
    engine.dispose()


@pytest.fixture
def database_connection(app):
    """The test database's own connection (rolled back with the test), with the documents in a temporary table."""
    connection = db.session.connection()
    _load(connection)
    return connection


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_sqlite_backend_matches_every_word_whatever_the_accents_and_case(sqlite_connection, query, expected):
    assert set(_found(sqlite_connection, SqliteBackend(), query)) == expected


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_backend_of_the_test_database_gives_the_same_answers(database_connection, query, expected):
    backend = backend_for(database_connection.dialect)
    assert set(_found(database_connection, backend, query)) == expected


def test_the_dialect_chooses_the_backend(app):
    assert isinstance(backend_for(postgresql.dialect()), PostgresBackend)
    expected = PostgresBackend if db.session.get_bind().dialect.name == "postgresql" else SqliteBackend
    assert isinstance(backend_for(db.session.get_bind().dialect), expected)


def test_a_title_match_ranks_above_a_summary_match(database_connection):
    found = _found(database_connection, backend_for(database_connection.dialect), "podcasts")
    assert found[-1] == 4 and set(found[:2]) == {2, 3}


def test_sqlite_finds_a_word_inside_another_where_postgresql_wants_its_beginning(sqlite_connection):
    """The simpler match finds "haine" in "chaîne" too; full-text search knows words (documented difference)."""
    assert set(_found(sqlite_connection, SqliteBackend(), "haine")) == {3, 5}


@pytest.mark.skipif("not __import__('tests.databases').databases.postgres_base_url()",
                    reason="PostgreSQL only (TEST_DATABASE_URL)")
def test_postgresql_matches_whole_words_from_their_beginning(database_connection):
    assert set(_found(database_connection, PostgresBackend(), "haine")) == {3}
    assert set(_found(database_connection, PostgresBackend(), "aine")) == set()


def test_the_postgresql_query_is_simple_full_text_search_with_constants_an_index_can_match():
    sql = str(PostgresBackend().match(FIELDS, ["ecole", "parent"]).compile(dialect=postgresql.dialect()))
    assert "to_tsvector('simple'::regconfig, translate(lower(coalesce(search_documents.title, ''))" in sql
    assert "@@ to_tsquery('simple'::regconfig, %(to_tsquery_1)s" in sql  # the words are a parameter
    assert f"'{words_of.ACCENTED}'" in sql  # written out, not a parameter, so the index expression matches
    assert PostgresBackend.tsquery_text(["ecole", "parent"]) == "'ecole':* & 'parent':*"


@pytest.mark.skipif("not __import__('tests.databases').databases.postgres_base_url()",
                    reason="PostgreSQL only (TEST_DATABASE_URL)")
def test_the_suggested_gin_indexes_serve_the_search(app):
    for statement in services.postgres_index_sql():
        db.session.execute(text(statement))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    query = select(Proposal.id).where(PostgresBackend().match(services.FIELDS["proposals"], ["podcast"]))
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_proposals_search" in plan, plan
