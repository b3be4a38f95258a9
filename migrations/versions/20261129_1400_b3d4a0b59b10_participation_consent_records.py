"""Consent per purpose for the guardians who had already consented: a participation record for each

Data only. Before consent per purpose, a guardian's yes to a request was one consent for everything; it becomes
a standing record for taking part (as the guardian, online, at the time they answered, with the version of the
text they read, or "legacy"). The other purposes (mentoring, showcase, photos) are asked for again, one by one:
the old bundled text does not count as a specific consent to each of them.

Revision ID: b3d4a0b59b10
Revises: fd7fdd4b4ded
Create Date: 2026-11-29 14:00:00.000000+00:00
"""

from alembic import op

revision = 'b3d4a0b59b10'
down_revision = 'fd7fdd4b4ded'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The newest given answer of each young person; none when a participation record already stands.
    op.execute("""
        INSERT INTO consent_records (subject_id, purpose, given_as, given_by_id, wording_version, wording, method,
                                     given_at)
        SELECT gc.minor_id, 'participation', 'guardian', gc.guardian_id, COALESCE(gc.text_version, 'legacy'),
               COALESCE(gc.text_agreed, ''), 'online', COALESCE(gc.decided_at, gc.requested_at)
        FROM guardian_consents gc
        WHERE gc.state = 'given'
          AND gc.id = (SELECT MAX(newer.id) FROM guardian_consents newer
                       WHERE newer.minor_id = gc.minor_id AND newer.state = 'given')
          AND NOT EXISTS (SELECT 1 FROM consent_records cr
                          WHERE cr.subject_id = gc.minor_id AND cr.purpose = 'participation'
                            AND cr.given_as = 'guardian' AND cr.withdrawn_at IS NULL)
    """)


def downgrade() -> None:
    # The records stay: they are true statements, and the table itself goes with the previous revision.
    pass
