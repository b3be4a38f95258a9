"""Data rights: downloading one's data, deleting one's account, a guardian's erasure request for a minor, and
the retention rules `flask privacy purge` applies."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

privacy_cli = AppGroup("privacy", help="Personal data: retention.")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be removed, and remove nothing.")
@with_appcontext
def purge_command(dry_run: bool):
    """Remove what has outlived its purpose (see the retention settings); prints a count per rule."""
    from app import db
    from app.db import utcnow
    from app.privacy.retention import RULES, purge

    found = purge(utcnow(), dry_run=dry_run)
    descriptions = {rule.name: rule.description for rule in RULES}
    verb = "would be removed" if dry_run else "removed"
    for name, labels in found.items():
        click.echo(f"{descriptions[name]}: {len(labels)} {verb}")
        if dry_run:
            for label in labels:
                click.echo(f"  {label}")
    if not dry_run:
        db.commit()


def register_privacy(app: Flask) -> None:
    from app.privacy.retention import DEFAULTS
    from app.privacy.views import bp

    for name, default in DEFAULTS.items():
        app.config.setdefault(name, int(os.environ.get(name) or default))
    app.register_blueprint(bp)
    app.cli.add_command(privacy_cli)
