"""Reports keep the issue's severity tiers: child risk and imminent harm, then violent extremism and personal
details, then hate speech, then the rest (rows written before stored one rank per category).

Revision ID: 5a1e2b3c4d5f
Revises: cf7c31c7f3ac
Create Date: 2026-11-29 14:15:00+00:00
"""

from alembic import op

revision = '5a1e2b3c4d5f'
down_revision = 'cf7c31c7f3ac'
branch_labels = None
depends_on = None

TIERS = {"child_risk": 0, "imminent_harm": 0, "violent_extremism": 1, "personal_details": 1, "hate_speech": 2,
         "harassment": 3, "spam": 3, "other": 3}
RANKS = {"child_risk": 0, "imminent_harm": 1, "violent_extremism": 2, "personal_details": 3, "hate_speech": 4,
         "harassment": 5, "spam": 6, "other": 7}


def _set(severities: dict) -> None:
    cases = " ".join(f"WHEN '{category}' THEN {value}" for category, value in severities.items())
    op.execute(f"UPDATE reports SET severity = CASE category {cases} END")  # noqa: S608 - constants above


def upgrade() -> None:
    _set(TIERS)


def downgrade() -> None:
    _set(RANKS)
