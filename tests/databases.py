"""One database per test worker, on SQLite or on the PostgreSQL server TEST_DATABASE_URL names."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def postgres_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return url if url and url.startswith("postgresql") else None


def fresh_database_url(suffix: str) -> str:
    """An empty database for this worker and purpose, created anew."""
    base = postgres_base_url()
    if base is None:
        folder = Path(tempfile.gettempdir()) / f"passerelle-tests-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{suffix}.sqlite3"
        for leftover in folder.glob(f"{suffix}.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    url = make_url(base)
    name = f"{url.database}_{suffix}"[:63]
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def migrate(url: str, revision: str = "head") -> None:
    from alembic import command

    from app.cli import alembic_config

    config = alembic_config(url)
    config.attributes["skip_logging_setup"] = True
    command.upgrade(config, revision)


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    from app.cli import alembic_config

    config = alembic_config(url)
    config.attributes["skip_logging_setup"] = True
    command.downgrade(config, revision)
