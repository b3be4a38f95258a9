"""The data migration that puts reports written before the tiers into the issue's severity tiers, and back."""

from __future__ import annotations

from sqlalchemy import text

from app.db import make_engine
from app.safety.services import SEVERITY
from tests.databases import downgrade, fresh_database_url, migrate

BEFORE, AFTER = "cf7c31c7f3ac", "5a1e2b3c4d5f"
OLD_RANKS = ("child_risk", "imminent_harm", "violent_extremism", "personal_details", "hate_speech", "harassment",
             "spam", "other")


def test_each_category_gets_its_tier_and_downgrade_restores_the_ranks(request):
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    url = fresh_database_url(f"{worker}_severity_mig")
    migrate(url, BEFORE)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for number, category in enumerate(OLD_RANKS, start=1):
                connection.execute(text(
                    "INSERT INTO reports (id, subject_type, subject_id, category, severity, detail, state, "
                    "created_at) VALUES (:id, 'team_message', :id, :category, :rank, '', 'open', "
                    "'2026-11-01 10:00:00+00:00')"), {"id": number, "category": category, "rank": number - 1})
        migrate(url, AFTER)
        with engine.connect() as connection:
            tiers = dict(connection.execute(text("SELECT category, severity FROM reports")).all())
        assert tiers == SEVERITY
        downgrade(url, BEFORE)
        with engine.connect() as connection:
            ranks = dict(connection.execute(text("SELECT category, severity FROM reports")).all())
        assert ranks == {category: rank for rank, category in enumerate(OLD_RANKS)}
    finally:
        engine.dispose()
