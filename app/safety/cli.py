"""`flask safety seed-terms`: put the short default list of flagged terms (English and French) in place."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

safety_cli = AppGroup("safety", help="Trust and safety tools.")


@safety_cli.command("seed-terms")
@with_appcontext
def seed_terms():
    """Add the default flagged terms that are missing; terms coordinators removed come back only if run again."""
    from app import db
    from app.safety.terms import seed_default_terms

    added = seed_default_terms()
    db.commit()
    click.echo(f"{added} flagged term(s) added.")
