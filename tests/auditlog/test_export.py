"""The CSV export: the filtered entries, newest first, UTF-8 with a byte-order mark, formulas neutralised, streamed
in batches so that a log of any size leaves in constant memory."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app import db
from app.accounts.models import AuditEntry
from app.auditlog import queries
from tests.factories import create_user


@pytest.fixture
def coordinator():
    return create_user("coordinator", name="Cora Coordinator")


def _entry(actor, action: str, subject_type: str = "calls", subject_id: int | None = 1, *, at=None, **detail):
    entry = AuditEntry(actor_id=getattr(actor, "id", None), action=action, subject_type=subject_type,
                       subject_id=subject_id, detail=detail, created_at=at or datetime.now(UTC))
    db.session.add(entry)
    db.session.flush()
    return entry


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))


def test_the_export_holds_the_filtered_entries_newest_first(client, login, coordinator):
    start = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    older = _entry(coordinator, "call.close", at=start, reason="Enough proposals.")
    newer = _entry(None, "ledger.award", "ledger_entries", 4, at=start + timedelta(hours=1), amount=250000,
                   currency="CAD", grant=2)
    _entry(coordinator, "role.granted", "users", 9, role="mentor")
    response = login(coordinator).get("/audit/export.csv?subject_type=calls&action=")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=audit-log-")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.is_streamed
    rows = _csv(response)
    assert rows[0] == ["Entry", "Time (UTC)", "Who (number)", "Who", "Action code", "Action", "About",
                       "Record number", "Details"]
    assert rows[1:] == [[str(older.id), "2025-03-01T12:00:00+00:00", str(coordinator.id), "Cora Coordinator",
                         "call.close", "Call closed", "Call", "1", "reason: Enough proposals."]]
    everything = _csv(login(coordinator).get("/audit/export.csv"))
    assert [row[4] for row in everything[1:]] == ["role.granted", "ledger.award", "call.close"]
    assert everything[2] == [str(newer.id), "2025-03-01T13:00:00+00:00", "", "", "ledger.award",
                             "Money: award committed", "Ledger entry", "4",
                             "amount: 250000; currency: CAD; grant: 2"]


def test_the_page_offers_the_export_of_what_it_shows(client, login, coordinator):
    _entry(coordinator, "call.close")
    body = login(coordinator).get("/audit/?action=call.close&actor=cora").get_data(as_text=True)
    assert 'href="/audit/export.csv?action=call.close&amp;actor=cora" download>Download these entries as CSV' in body


def test_text_a_spreadsheet_would_run_is_neutralised(client, login):
    schemer = create_user("coordinator", name="=HYPERLINK(\"http://evil.example\")")
    _entry(schemer, "call.close", reason="+1 for the team")
    rows = _csv(login(schemer).get("/audit/export.csv"))
    assert rows[1][3] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[1][8] == "reason: +1 for the team"  # the key comes first: nothing to run


def test_a_large_log_is_read_in_batches_and_loses_nothing(client, login, coordinator, monkeypatch, count_queries):
    monkeypatch.setattr(queries, "EXPORT_BATCH", 3)
    same_moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    made = [_entry(coordinator, "call.updated", at=same_moment if index % 2 else same_moment + timedelta(
        minutes=index)) for index in range(10)]
    login(coordinator)
    rows = _csv(client.get("/audit/export.csv"))
    expected = sorted(made, key=lambda entry: (entry.created_at, entry.id), reverse=True)
    assert [int(row[0]) for row in rows[1:]] == [entry.id for entry in expected]
    # Ten rows or eleven, in batches of three: four reads of the log either way; the cost follows the batches.
    ten = count_queries(lambda: client.get("/audit/export.csv").get_data())
    _entry(coordinator, "call.updated")
    assert count_queries(lambda: client.get("/audit/export.csv").get_data()) == ten


def test_an_empty_export_has_its_header(client, login, coordinator):
    rows = _csv(login(coordinator).get("/audit/export.csv?action=call.close"))
    assert len(rows) == 1
