"""Indexes the page benchmark (bench/pages.py) called for at 50,000 proposals

- project_publications (published_at, id): the showcase reads its newest page in that order and stops after twelve,
  instead of joining and sorting every publication (about 40 ms → 0.5 ms at 2,500 publications).
- teams (country): the dashboards' country filter reads the distinct countries from the index.

Revision ID: cf7c31c7f3ac
Revises: b3d4a0b59b10
Create Date: 2026-11-29 14:10:00.000000+00:00
"""

from alembic import op

revision = 'cf7c31c7f3ac'
down_revision = 'b3d4a0b59b10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('project_publications', schema=None) as batch_op:
        batch_op.create_index('ix_project_publications_published_at_id', ['published_at', 'id'], unique=False)

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_country'), ['country'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_country'))

    with op.batch_alter_table('project_publications', schema=None) as batch_op:
        batch_op.drop_index('ix_project_publications_published_at_id')
