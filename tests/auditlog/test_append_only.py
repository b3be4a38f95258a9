"""Audit entries cannot be changed through any route: the log's own routes only read, the ORM refuses to update or
delete an entry whoever asks, and sending every route that writes leaves the entries already there untouched."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from app import audit, db
from app.accounts.models import AuditEntry
from app.auditlog.append_only import AuditLogIsAppendOnly
from tests.clients import isolated_client
from tests.conftest import post, sign_in
from tests.factories import create_user

READING = {"GET", "HEAD", "OPTIONS"}


def _entry() -> AuditEntry:
    entry = audit.record(create_user("coordinator"), "role.granted", create_user(), role="mentor")
    db.session.flush()
    return entry


def test_the_logs_routes_only_read(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("auditlog.")]
    assert {rule.endpoint for rule in rules} == {"auditlog.index", "auditlog.export_csv"}
    for rule in rules:
        assert rule.methods <= READING, (rule.endpoint, rule.methods)


def test_no_view_writes_to_the_log_but_through_audit_record(app):
    """Every view that changes something reaches the log only by adding entries (app.audit.record)."""
    import inspect

    for rule in app.url_map.iter_rules():
        if rule.methods <= READING or rule.endpoint == "static":
            continue
        source = inspect.getsource(inspect.getmodule(app.view_functions[rule.endpoint]))
        for words in ("update(AuditEntry", "delete(AuditEntry", "AuditEntry).delete", "AuditEntry).update"):
            assert words not in source, (rule.endpoint, words)


def test_an_entry_cannot_be_changed(app):
    entry = _entry()
    entry.detail = {"role": "coordinator"}
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_an_entry_cannot_be_deleted(app):
    entry = _entry()
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", [
    lambda: update(AuditEntry).values(action="role.revoked"),
    lambda: delete(AuditEntry),
    lambda: delete(AuditEntry).where(AuditEntry.action == "role.granted"),
])
def test_no_statement_can_change_or_remove_entries(app, statement):
    _entry()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(statement())
    db.session.rollback()


def test_adding_entries_still_works(app):
    first, second = _entry(), _entry()
    assert second.id > first.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.id == first.id)).detail == {"role": "mentor"}


def _snapshot() -> dict[int, tuple]:
    db.session.expire_all()
    return {entry.id: (entry.actor_id, entry.action, entry.subject_type, entry.subject_id, entry.detail,
                       entry.created_at) for entry in db.session.scalars(select(AuditEntry))}


def test_every_route_that_writes_leaves_the_entries_as_they_were(app):
    """A coordinator (who may do the most) sends every route that is not a read, as the authorization matrix
    knows them: entries are added, never changed or removed."""
    from tests.test_authorization_matrix import MATRIX, _world

    world = _world("coordinator")
    for _index in range(5):
        _entry()  # a few entries of our own, whatever the world wrote
    before = _snapshot()
    assert before
    writers = [entry for entry in MATRIX if entry.method not in READING]
    assert len(writers) > 50
    urls = [(entry, entry.url(world)) for entry in writers]  # before any request removes what they name
    for entry, url in urls:
        client = isolated_client(app)
        sign_in(client, world.requester)
        response = post(client, url) if entry.method == "POST" else client.open(url, method=entry.method)
        assert response.status_code < 500, f"{entry.method} {url}"
    after = _snapshot()
    assert {key: after.get(key) for key in before} == before
    assert len(after) >= len(before)
