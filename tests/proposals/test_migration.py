"""The migration that lets a withdrawn draft keep no submission time changes the rule and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from tests.databases import downgrade, fresh_database_url, migrate

BEFORE, AFTER = "da8936bd072b", "5e7f1c2a9b40"

ROWS = [
    "INSERT INTO users (id, email, display_name, password_hash, birth_date, country, locale, timezone, "
    "conduct_accepted_at, created_at, session_version) VALUES (1, 'a@example.org', 'A', 'x', '2000-01-01', 'CA', "
    "'en', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
    "INSERT INTO teams (id, name, description, country, languages, lead_id, created_at) "
    "VALUES (1, 'T', '', 'CA', '[]', 1, CURRENT_TIMESTAMP)",
    "INSERT INTO calls (id, title, description, themes, min_age, max_age, countries, min_team_size, max_team_size, "
    "currency, pool_amount, max_award, opens_at, closes_at, timezone, min_reviews, blind_review, state, created_at) "
    "VALUES (1, 'C', '', '[]', 13, 25, '[]', 1, 5, 'CAD', 100, 10, '2026-01-01 00:00:00+00:00', "
    "'2027-01-01 00:00:00+00:00', 'UTC', 2, false, 'published', CURRENT_TIMESTAMP)",
    "INSERT INTO proposals (id, call_id, team_id, title, summary, problem, approach, audience, themes, "
    "amount_requested, state, version, created_at, updated_at, lock_version) VALUES (1, 1, 1, '', '', '', '', '', "
    "'[]', 5, 'draft', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
    "INSERT INTO proposal_budget_lines (proposal_id, position, category, description, amount) "
    "VALUES (1, 0, 'other', 'Microphones', 5)",
]


def _worker(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _scalar(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def test_upgrade_keeps_every_row_and_allows_a_withdrawn_draft(request):
    url = fresh_database_url(f"{_worker(request)}_propmig")
    migrate(url, BEFORE)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in ROWS:
                connection.execute(text(statement))
        migrate(url, AFTER)
        # SQLite would drop children through ON DELETE CASCADE if the table were copied and dropped.
        assert _scalar(engine, "SELECT count(*) FROM proposal_budget_lines") == 1
        with engine.begin() as connection:
            connection.execute(text("UPDATE proposals SET state = 'withdrawn'"))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE proposals SET state = 'submitted'"))

        downgrade(url, BEFORE)
        # The old rule again: the withdrawn draft is given its last change as submission time.
        assert _scalar(engine, "SELECT submitted_at IS NOT NULL FROM proposals") in (True, 1)
        assert _scalar(engine, "SELECT count(*) FROM proposal_budget_lines") == 1
        migrate(url, AFTER)
    finally:
        engine.dispose()
