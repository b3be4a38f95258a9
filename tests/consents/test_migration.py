"""The data migration: every guardian who had consented keeps a standing consent to taking part."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import make_engine
from tests.databases import fresh_database_url, migrate

BEFORE, AFTER = "fd7fdd4b4ded", "b3d4a0b59b10"

USER = ("INSERT INTO users (id, email, display_name, password_hash, birth_date, country, locale, timezone, "
        "conduct_accepted_at, created_at, session_version) VALUES (:id, :email, :name, 'x', '2012-01-01', 'FR', "
        "'fr', 'UTC', :at, :at, 1)")
REQUEST = ("INSERT INTO guardian_consents (id, minor_id, guardian_email, guardian_id, state, requested_at, "
           "last_sent_at, decided_at, text_version, text_agreed, nonce) VALUES (:id, :minor, 'p@example.org', "
           ":guardian, :state, :at, :at, :decided, :version, :text, 'n')")


@pytest.fixture
def engine(request):
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    url = fresh_database_url(f"{worker}_consent_mig")
    migrate(url, BEFORE)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def test_each_given_consent_becomes_a_participation_record(engine):
    url, engine = engine
    at, decided = "2026-01-02 10:00:00+00:00", "2026-01-05 09:30:00+00:00"
    with engine.begin() as connection:
        for user_id in (1, 2, 3, 4):
            connection.execute(text(USER), {"id": user_id, "email": f"u{user_id}@example.org",
                                            "name": f"User {user_id}", "at": at})
        given = {"guardian": 1, "state": "given", "at": at, "decided": decided}
        connection.execute(text(REQUEST), {**given, "id": 1, "minor": 2, "version": "2026-11", "text": "I agree."})
        connection.execute(text(REQUEST), {**given, "id": 2, "minor": 3, "version": None, "text": None})
        connection.execute(text(REQUEST), {"id": 3, "minor": 4, "guardian": None, "state": "requested", "at": at,
                                           "decided": None, "version": None, "text": None})

    migrate(url, AFTER)

    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT subject_id, purpose, given_as, given_by_id, wording_version, wording, method, given_at, "
            "withdrawn_at FROM consent_records ORDER BY subject_id")).all()
    assert [row[:7] for row in rows] == [
        (2, "participation", "guardian", 1, "2026-11", "I agree.", "online"),
        (3, "participation", "guardian", 1, "legacy", "", "online"),
    ]
    assert all(row.withdrawn_at is None for row in rows)
    assert all(str(row.given_at).startswith("2026-01-05 09:30:00") for row in rows)
