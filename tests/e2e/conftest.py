"""End-to-end fixtures: the app served on a real port, a shared headless Chromium, a fresh context per test."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.db import get_database
from config import TestConfig
from tests.conftest import _worker
from tests.databases import fresh_database_url, migrate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PASSWORD = "river lantern orbit meadow"  # noqa: S105 - test only


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(request):
    """The app on 127.0.0.1 with its own migrated database; what the journeys write is really committed."""
    url = fresh_database_url(f"{_worker(request)}_e2e")
    migrate(url)
    app = create_app(TestConfig, DATABASE_URL=url, SIGNIN_LIMIT_PER_ADDRESS="1000 per minute",
                     EMAIL_LINK_LIMIT_PER_ADDRESS="1000 per minute")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=base_url)
    server.shutdown()
    thread.join(timeout=5)
    get_database(app).engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a new browser context (its own cookies), as a second person on another device would."""
    contexts = []

    def _new_page(locale: str = "en-US", **options):
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def page_fr(new_page):
    return new_page("fr-FR")


@pytest.fixture
def unique_email():
    def _unique_email(who: str = "person") -> str:
        return f"{who}-{uuid.uuid4().hex[:12]}@example.org"
    return _unique_email


def check_accessibility(page) -> None:
    """axe-core must find nothing wrong on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")  # after a click the new page may still be loading its stylesheet
    results = Axe().run(page)
    if results.violations_count:
        lines = [f"{results.violations_count} accessibility violation(s) on {page.url}:"]
        for violation in results.response["violations"]:
            lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {node['target']}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def email_link(live_server):
    """The path of the link in the newest email sent to an address (of a given kind), read from the outbox."""
    from app import db
    from app.mail.models import OutboxMessage

    def _email_link(recipient: str, kind: str | None = None) -> str:
        with live_server.app.app_context():
            query = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
            if kind:
                query = query.where(OutboxMessage.kind == kind)
            message = db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(1)).first()
            assert message is not None, f"no email to {recipient} ({kind or 'any kind'})"
            match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
            assert match, f"no link in {message.body!r}"
            return match.group(1)
    return _email_link
