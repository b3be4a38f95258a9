"""The real stack: gunicorn with two workers and an RQ worker, over PostgreSQL and Redis on 127.0.0.1.

A team lead signs in, reads the draft (a page kept in Redis's result cache), submits it and reads it again (the
kept page is dropped for both workers); the submission's email is delivered by the RQ worker to an SMTP server.
Requests are spread over both gunicorn workers (the log lines carry each worker's pid): a session made by one
worker, and a CSRF token signed by one, are accepted by the other, so no state lives in a process.
Runs in the PostgreSQL pass of the suite (TEST_DATABASE_URL), where both servers are there.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests.databases import fresh_database_url, migrate, postgres_base_url
from tests.stack.forms import form_fields

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "river lantern orbit meadow"  # noqa: S105 - test only


def _redis_up() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


pytestmark = pytest.mark.skipif(postgres_base_url() is None or not _redis_up(),
                                reason="the real stack runs with TEST_DATABASE_URL (PostgreSQL) and Redis")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # refused, or accepted while the workers are still booting
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from aiosmtpd.controller import Controller

    from tests.mail.test_outbox import Collector

    database = fresh_database_url("stack")
    migrate(database)
    redis_db = 9  # a Redis database of its own, emptied before and after
    collector, smtp_port, http_port = Collector(), _free_port(), _free_port()
    smtp = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    logs = tmp_path_factory.mktemp("stack")
    env = {**os.environ, "PASSERELLE_ENV": "development", "SECRET_KEY": "stack-test-secret",
           "DATABASE_URL": database, "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
           "BASE_URL": f"http://127.0.0.1:{http_port}", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
           "FLASK_APP": "app", "GUNICORN_BIND": f"127.0.0.1:{http_port}", "GUNICORN_WORKERS": "2",
           "UPLOAD_FOLDER": str(logs / "uploads")}
    from redis import Redis

    Redis(db=redis_db).flushdb()
    seeded = _seed(database)
    web_log, worker_log = (logs / "web.log").open("w"), (logs / "worker.log").open("w")
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "app:create_app()"],
                           cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([str(BIN / "flask"), "worker"], cwd=ROOT, env=env, stdout=worker_log,
                              stderr=subprocess.STDOUT)
    try:
        _wait_for(f"http://127.0.0.1:{http_port}/readyz")
        yield {"url": f"http://127.0.0.1:{http_port}", "mail": collector, "database": database,
               "redis": Redis(db=redis_db),
               "web_log": logs / "web.log", "worker_log": logs / "worker.log", **seeded}
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        Redis(db=redis_db).flushdb()


def _seed(database: str) -> dict:
    """A team lead with a complete draft for an open call, written the way the factories write it."""
    from app import create_app, db
    from app.db import get_database
    from config import TestConfig
    from tests import factories

    app = create_app(TestConfig, DATABASE_URL=database)
    with app.app_context():
        from app.accounts.passwords import hash_password

        lead = factories.create_user(email="lead@stack.example.org", name="Lina Lead")
        lead.password_hash = hash_password(PASSWORD)
        team = factories.create_team(lead, factories.create_user(name="Milo Member"), name="Stack Team")
        proposal = factories.create_proposal(team, factories.create_call(title="Stack Call"), title="Stack Radio")
        db.commit()
        seeded = {"proposal_id": proposal.id, "email": lead.email}
    get_database(app).engine.dispose()
    return seeded


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_journey_across_two_web_workers_and_the_job_worker(stack):
    browser = requests.Session()
    base = stack["url"]
    ids = iter(f"stack{n:04d}check" for n in range(1000))

    def get(path):
        return browser.get(base + path, headers={"X-Request-ID": next(ids)}, timeout=30, allow_redirects=False)

    def post(path, data):
        return browser.post(base + path, data=data, headers={"X-Request-ID": next(ids)}, timeout=30,
                            allow_redirects=False)

    signin = get("/signin")
    signed = post("/signin", {"csrf_token": _csrf(signin.text), "email": stack["email"], "password": PASSWORD})
    assert signed.status_code == 302, signed.text[:500]

    # Many requests with the one session: whichever worker answers, the person is signed in.
    for _ in range(12):
        page = get("/dashboard")
        assert page.status_code == 200 and "Hello, Lina" in page.text

    # The proposal page is kept in the result cache (Redis) by whichever worker renders it first ...
    show_path = f"/proposals/{stack['proposal_id']}"
    for _ in range(6):
        assert '<span class="tag">draft</span>' in get(show_path).text
    assert stack["redis"].keys("passerelle:result:personal:*"), "the page was never kept"

    edit_path = f"/proposals/{stack['proposal_id']}/edit"
    edit = get(edit_path)
    assert edit.status_code == 200
    fields = dict(form_fields(edit.text, edit_path))
    fields["action"] = "submit"
    submitted = post(edit_path, fields)
    assert submitted.status_code == 302, submitted.text[:1000]
    assert "Your proposal is submitted" in get(submitted.headers["Location"]).text
    # ... and the commit in one worker drops it for both: no worker shows the draft any more.
    for _ in range(6):
        assert '<span class="tag">submitted</span>' in get(show_path).text

    # The email was written in the request's transaction, then sent by the RQ worker, not by the web process.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
            "lead@stack.example.org" in envelope.rcpt_tos for envelope in stack["mail"].envelopes):
        time.sleep(0.2)
    recipients = [rcpt for envelope in stack["mail"].envelopes for rcpt in envelope.rcpt_tos]
    assert "lead@stack.example.org" in recipients
    assert "deliver_message" in stack["worker_log"].read_text()

    # Both gunicorn workers served this browser's requests (one log line per request, with the worker's pid).
    lines = [line for line in stack["web_log"].read_text().splitlines() if "request_id=stack" in line]
    pids = {re.search(r"passerelle\.requests\[(\d+)\]", line).group(1) for line in lines}
    assert len(lines) >= 28 and len(pids) == 2, lines[:5]


def test_the_submission_is_in_the_database_every_worker_reads(stack):
    """Read back with a fresh connection: nothing stayed in a process's memory."""
    from sqlalchemy import create_engine

    from app.proposals.models import Proposal

    engine = create_engine(stack["database"])
    with engine.connect() as connection:
        state = connection.execute(select(Proposal.state).where(Proposal.id == stack["proposal_id"])).scalar()
    engine.dispose()
    assert state == "submitted"
