"""Command-line tools: `flask db`, `flask demo`, `flask users`, `flask outbox`, `flask worker`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from config import BASE_DIR

db_cli = AppGroup("db", help="Database migrations (Alembic).")
users_cli = AppGroup("users", help="Manage accounts.")
outbox_cli = AppGroup("outbox", help="The email outbox.")


def alembic_config(url: str | None = None):
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(str(BASE_DIR / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(BASE_DIR / "migrations"))
    config.attributes["database_url"] = url or current_app.config["DATABASE_URL"]
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str):
    """Migrate the database up to REVISION (default: head)."""
    from alembic import command

    _ensure_sqlite_folder()
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str):
    """Migrate the database down to REVISION (default: one step)."""
    from alembic import command

    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does, as a short slug.")
@click.option("--autogenerate/--empty", default=True)
@with_appcontext
def db_revision(message: str, autogenerate: bool):
    """Write a new migration file from the difference between models and database."""
    from alembic import command

    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("current")
@with_appcontext
def db_current():
    from alembic import command

    command.current(alembic_config())


@db_cli.command("check")
@with_appcontext
def db_check():
    """Fail when the models and the migrations differ."""
    from alembic import command

    command.check(alembic_config())


def _ensure_sqlite_folder() -> None:
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@users_cli.command("create-coordinator")
@click.argument("email")
@with_appcontext
def create_coordinator(email: str):
    """Give the coordinator role to EMAIL's account, creating the account if needed."""
    from app import db
    from app.accounts.services import find_user_by_email, grant_role

    user = find_user_by_email(email)
    if user is None:
        from app.accounts.services import register_user

        password = click.prompt("Password for the new account", hide_input=True, confirmation_prompt=True)
        name = click.prompt("Name shown to others")
        country = click.prompt("Country (ISO code, e.g. CA)", default="CA").upper()
        birth = click.prompt("Date of birth (YYYY-MM-DD)", type=click.DateTime(formats=["%Y-%m-%d"]))
        from app.validation import ValidationFailed

        try:
            user = register_user(display_name=name, email=email, password=password, birth_date=birth.date(),
                                 country=country, region=None, locale="en", timezone="UTC",
                                 account_type="youth", guardian_email=None, email_already_proven=True)
        except ValidationFailed as error:
            raise click.ClickException("; ".join(str(m) for _f, m in error.errors)) from error
        user.role_grants.clear()
        db.session.flush()
    grant_role(None, user, "coordinator")
    db.commit()
    click.echo(f"{user.email} is a coordinator.")


@outbox_cli.command("deliver")
@with_appcontext
def outbox_deliver():
    """Send every email that is due for another try (run it from cron every few minutes)."""
    from app.mail.delivery import deliver_due

    click.echo(f"{deliver_due()} message(s) sent.")


@click.command("worker")
@with_appcontext
def worker():
    """Run an RQ worker for background jobs (needs REDIS_URL)."""
    queue = current_app.extensions.get("rq_queue")
    if queue is None:
        raise click.ClickException("Set REDIS_URL to run a worker; without it jobs run inline.")
    from rq import Worker

    from app.jobs import set_worker_app

    set_worker_app(current_app._get_current_object())
    Worker([queue], connection=queue.connection).work(with_scheduler=True)


def register_cli(app: Flask) -> None:
    from app.demo import demo_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker)
    app.cli.add_command(demo_cli)
