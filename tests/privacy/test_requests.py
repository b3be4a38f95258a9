"""A guardian asks for a minor's data to be erased; a coordinator carries it out or refuses with a note."""

from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy import select

from app import db
from app.accounts import services as accounts
from app.accounts.models import AuditEntry, ErasureRequest, User
from app.privacy import requests as erasure_requests
from tests.conftest import post, sign_in
from tests.factories import create_project, create_team, create_user


@pytest.fixture
def family():
    guardian = create_user("guardian", name="Gloria Guardian", email="gloria@example.org", age=44)
    minor = create_user(name="Theo Teen", email="theo@example.org", age=14, region="CA-QC")
    consent = accounts.request_consent(minor, guardian.email)
    accounts.decide_consent(consent, guardian, give=True,
                            text=render_template("accounts/_consent_text.html", minor=minor))
    coordinator = create_user("coordinator", name="Cora Coord", email="cora@example.org")
    create_user("coordinator", name="Cyril Coord", email="cyril@example.org")
    return guardian, minor, coordinator


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("privacy.%"))
                                   .order_by(AuditEntry.id)))


def test_the_guardian_asks_from_the_dashboard_and_everyone_concerned_is_told(client, family, outbox):
    guardian, minor, _coordinator = family
    db.commit()
    sign_in(client, guardian)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/privacy/minors/{minor.id}/erasure"' in dashboard
    form = client.get(f"/privacy/minors/{minor.id}/erasure").get_data(as_text=True)
    assert "Ask for Theo Teen" in form and "What is erased" in form

    empty = post(client, f"/privacy/minors/{minor.id}/erasure", {"reason": " "})
    response = post(client, f"/privacy/minors/{minor.id}/erasure", {"reason": "We are moving abroad."})

    assert empty.status_code == 400 and "Say why, so the coordinators can act on it." in empty.get_data(as_text=True)
    assert response.status_code == 302
    db.session.expire_all()
    [request] = db.session.scalars(select(ErasureRequest))
    assert (request.minor_id, request.requested_by_id, request.reason, request.state) == (
        minor.id, guardian.id, "We are moving abroad.", "pending")
    assert {m.recipient for m in outbox(kind="privacy_erasure_requested")} == {"cora@example.org",
                                                                                 "cyril@example.org"}
    assert f"/privacy/requests/{request.id}" in outbox(kind="privacy_erasure_requested")[0].body
    assert "Theo" not in outbox(kind="privacy_erasure_requested")[0].body
    assert [m.recipient for m in outbox(kind="privacy_erasure_requested_minor")] == ["theo@example.org"]
    assert _actions() == ["privacy.erasure_requested"]

    again = client.get(f"/privacy/minors/{minor.id}/erasure").get_data(as_text=True)
    assert "is waiting for a coordinator" in again
    assert post(client, f"/privacy/minors/{minor.id}/erasure", {"reason": "Again."}).status_code == 400
    assert db.session.scalar(select(ErasureRequest.id).where(ErasureRequest.id != request.id)) is None


def test_only_the_consenting_guardian_of_a_minor_may_ask(client, family):
    guardian, minor, coordinator = family
    stranger = create_user("guardian", age=40)
    adult_child = create_user(age=19)
    db.commit()
    for person, target, status in ((stranger, minor, 403), (coordinator, minor, 403), (minor, minor, 403),
                                   (guardian, adult_child, 403), (guardian, minor, 200)):
        sign_in(client, person)
        assert client.get(f"/privacy/minors/{target.id}/erasure").status_code == status, (person, target)


def test_a_coordinator_carries_it_out_and_the_guardian_is_told(client, family, outbox):
    guardian, minor, coordinator = family
    request = erasure_requests.file_request(guardian, minor, "Please.")
    minor_id = minor.id
    db.commit()
    sign_in(client, coordinator)
    queue = client.get("/privacy/requests").get_data(as_text=True)
    assert "Theo Teen" in queue and "Gloria Guardian" in queue
    assert "Erasure requests (1)" in queue
    page = client.get(f"/privacy/requests/{request.id}").get_data(as_text=True)
    assert "Please." in page and "theo@example.org" in page and "Erase the data" in page

    unticked = post(client, f"/privacy/requests/{request.id}/carry-out")
    response = post(client, f"/privacy/requests/{request.id}/carry-out", {"confirm": "y"})

    assert unticked.status_code == 400 and "Tick this box to confirm." in unticked.get_data(as_text=True)
    assert response.status_code == 302
    db.session.expire_all()
    erased = db.session.get(User, minor_id)
    assert erased.erased_at is not None and erased.email == f"erased-{minor_id}@invalid"
    request = db.session.get(ErasureRequest, request.id)
    assert (request.state, request.decided_by_id) == ("done", coordinator.id)
    assert [m.recipient for m in outbox(kind="privacy_erasure_done")] == ["gloria@example.org"]
    assert outbox(recipient="theo@example.org") == []  # the goodbye email left, and nothing to that address stays
    assert _actions() == ["privacy.erasure_requested", "privacy.erasure_carried_out"]
    assert post(client, f"/privacy/requests/{request.id}/refuse", {"note": "Too late."}).status_code == 403


def test_a_coordinator_refuses_with_a_note_the_guardian_reads(client, family, outbox):
    guardian, minor, coordinator = family
    request = erasure_requests.file_request(guardian, minor, "Please.")
    db.commit()
    sign_in(client, coordinator)

    empty = post(client, f"/privacy/requests/{request.id}/refuse", {"note": ""})
    response = post(client, f"/privacy/requests/{request.id}/refuse",
                    {"note": "Theo turned 14 and asked to stay; let us talk."})

    assert empty.status_code == 400 and "the guardian is sent this note" in empty.get_data(as_text=True)
    assert response.status_code == 302
    db.session.expire_all()
    request = db.session.get(ErasureRequest, request.id)
    assert (request.state, request.decision_note) == ("refused", "Theo turned 14 and asked to stay; let us talk.")
    assert db.session.get(User, minor.id).erased_at is None
    [told] = outbox(kind="privacy_erasure_refused")
    assert told.recipient == "gloria@example.org" and "asked to stay" in told.body
    [minor_told] = outbox(kind="privacy_erasure_refused_minor")
    assert minor_told.recipient == "theo@example.org" and "asked to stay" not in minor_told.body
    assert _actions() == ["privacy.erasure_requested", "privacy.erasure_refused"]
    assert client.get("/privacy/requests?state=refused").get_data(as_text=True).count("Theo Teen") == 1


def test_a_minor_leading_a_running_project_is_not_erased_until_the_lead_moves(client, family):
    guardian, minor, coordinator = family
    create_project(create_team(minor, create_user(), name="Busy Team"), state="active")
    request = erasure_requests.file_request(guardian, minor, "Please.")
    db.commit()
    sign_in(client, coordinator)
    page = client.get(f"/privacy/requests/{request.id}").get_data(as_text=True)
    response = post(client, f"/privacy/requests/{request.id}/carry-out", {"confirm": "y"})

    assert "The data cannot be erased yet" in page and "Busy Team" in page
    assert response.status_code == 400 and "the lead must go to another member first" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).state == "pending"
    assert db.session.get(User, minor.id).erased_at is None


def test_a_coordinator_does_not_decide_their_own_request(client, family):
    _guardian, minor, coordinator = family
    coordinator_guardian = create_user("coordinator", "guardian", age=50)
    consent = accounts.request_consent(minor, coordinator_guardian.email)
    accounts.decide_consent(consent, coordinator_guardian, give=True, text="I agree.")
    request = erasure_requests.file_request(coordinator_guardian, minor, "Mine.")
    db.commit()
    sign_in(client, coordinator_guardian)
    assert post(client, f"/privacy/requests/{request.id}/carry-out", {"confirm": "y"}).status_code == 403
    sign_in(client, coordinator)
    assert post(client, f"/privacy/requests/{request.id}/carry-out", {"confirm": "y"}).status_code == 302
