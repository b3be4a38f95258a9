"""a draft withdrawn before it was ever submitted keeps no submission time

Revision ID: 5e7f1c2a9b40
Revises: da8936bd072b
Create Date: 2026-11-29 08:10:00.000000+00:00
"""

from alembic import op
import sqlalchemy as sa
import app.db


revision = '5e7f1c2a9b40'
down_revision = 'da8936bd072b'
branch_labels = None
depends_on = None

NAME = 'ck_proposals_submitted_has_time'
OLD = "(state = 'draft') = (submitted_at IS NULL)"
NEW = "state = 'withdrawn' OR (state = 'draft') = (submitted_at IS NULL)"


def _replace_check(old: str, new: str) -> None:
    # On SQLite the batch rebuilds the table (copy, drop, rename); migrations/env.py turns foreign keys off
    # meanwhile, so dropping the old table does not cascade into budget lines, milestones or attachments.
    with op.batch_alter_table('proposals') as batch:
        batch.drop_constraint(op.f(NAME), type_='check')
        batch.create_check_constraint(op.f(NAME), new)


def upgrade() -> None:
    _replace_check(OLD, NEW)


def downgrade() -> None:
    op.execute("UPDATE proposals SET submitted_at = updated_at WHERE state = 'withdrawn' AND submitted_at IS NULL")
    _replace_check(NEW, OLD)
