"""Downloading one's data: everything about the person, nothing of anyone else's but a first name."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.notices import services as notices
from app.privacy.export import SECTIONS, collect, dumps
from app.teamspace import services as teamspace
from tests.conftest import post, sign_in
from tests.factories import create_call, create_proposal, create_team, create_user
from tests.privacy import world as scene


def _download(client, user) -> tuple[dict, zipfile.ZipFile]:
    db.commit()
    sign_in(client, user)
    response = post(client, "/account/data/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f"passerelle-data-{user.id}-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return json.loads(archive.read("data.json")), archive


def test_the_export_holds_her_data_and_nobody_elses(client):
    me = create_user(name="Ines Exporter", email="ines@example.org")
    other = create_user(name="Bruno Privatesurname", email="bruno.private@example.org")
    team = create_team(me, other, name="Shared Team")
    thread = teamspace.start_thread(me, team, "Plans", "My own message about plans.")
    teamspace.post_message(other, thread, "Bruno's reply, not Ines's data.")
    proposal = create_proposal(team, create_call(), title="Our idea")
    notices.add_comment(other, proposal, "team", "Bruno's comment.")
    notices.add_comment(me, proposal, "team", "Ines's comment.")
    outsider_team = create_team(create_user(name="Zed Outsider"), name="Private Other Team")
    teamspace.start_thread(outsider_team.lead, outsider_team, "Secret", "Another team's private thread.")

    data, archive = _download(client, me)
    text = json.dumps(data, ensure_ascii=False)

    assert data["account"][0]["email"] == "ines@example.org"
    assert data["account"][0]["name"] == "Ines Exporter"
    assert [m["body"] for m in data["team_messages"]] == ["My own message about plans."]
    assert [c["body"] for c in data["proposal_comments"]] == ["Ines's comment."]
    assert data["teams"][0]["members"] == ["Bruno"]
    assert data["proposals_you_started"][0]["title"] == "Our idea"
    for foreign in ("bruno.private@example.org", "Privatesurname", "Bruno's reply", "Bruno's comment",
                    "Private Other Team", "Another team's private thread", "Zed"):
        assert foreign not in text, foreign
    assert set(data) >= {name for name, _section in SECTIONS}
    assert archive.namelist() == ["data.json"]


def test_dates_are_iso_and_her_files_are_in_the_zip(client):
    w = scene.build(with_demo=False)
    data, archive = _download(client, w.z)

    assert data["account"][0]["birth_date"] == scene.BIRTH.isoformat()
    date.fromisoformat(data["account"][0]["created_at"][:10])
    paths = {item["path"] for item in data["files"]}
    assert {f"files/attachments/{w.draft_attachment.id}-pitch.pdf",
            f"files/attachments/{w.kept_attachment.id}-storyboard.pdf",
            f"files/evidence/{w.evidence_file.id}-event.pdf"} == paths
    assert all(item["included"] for item in data["files"])
    assert "storage_key" not in json.dumps(data["files"])
    for path in paths:
        assert archive.read(path) == scene.PDF
    # Sections about what she did are filled in, with others by first name only.
    assert data["payee"][0]["bank_reference"] == scene.BANK
    assert data["contributions"][0]["amount"] == 50_000
    assert data["consent_requests_you_answered"][0]["young_person"] == "Milo"
    assert data["mentorships"][0]["team"] == "Mentored Makers"
    assert data["sessions"][0]["browser"] == scene.BROWSER
    assert data["reviews"] and data["background_checks"] and data["mentor_profile"] and data["reports_you_made"]
    assert data["milestone_evidence"][0]["report"] == "Photos of the harbour event."
    text = json.dumps(data, ensure_ascii=False)
    for foreign in ("Minor\"", "Milo Minor", "Lena Lead", "someone.else@example.org", "friend.of.z@example.org",
                    "argon2-hash"):
        assert foreign not in text, foreign


def test_an_export_is_written_to_the_audit_log(client):
    me = create_user()
    _download(client, me)
    db.session.expire_all()
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.exported"))
    assert (entry.actor_id, entry.subject_id, entry.detail) == (me.id, me.id, {"files": 0})


def test_collecting_takes_the_same_queries_whatever_the_amount_of_data(app, count_queries):
    def one_person(messages: int):
        me = create_user()
        team = create_team(me, create_user())
        thread = teamspace.start_thread(me, team, "Plans", "First.")
        for number in range(messages):
            teamspace.post_message(me, thread, f"Message {number}.")
        proposal = create_proposal(team)
        for number in range(messages):
            notices.add_comment(me, proposal, "team", f"Comment {number}.")
        db.session.expire_all()
        return me

    few, many = one_person(1), one_person(12)
    assert count_queries(lambda: collect(few)) == count_queries(lambda: collect(many))


def test_an_empty_account_exports_as_valid_json(app):
    me = create_user()
    data = json.loads(dumps(collect(me)))
    assert data["format"] == 1 and data["team_messages"] == [] and data["roles"][0]["role"] == "youth"


def test_the_data_page_links_to_the_download_and_the_deletion(client):
    me = create_user()
    db.commit()
    sign_in(client, me)
    profile = client.get("/account").get_data(as_text=True)
    page = client.get("/account/data").get_data(as_text=True)
    assert 'href="/account/data"' in profile
    assert 'action="/account/data/export"' in page and 'href="/account/delete"' in page
    assert "24 months" in page
