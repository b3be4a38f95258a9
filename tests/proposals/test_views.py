"""Proposals through the browser's eyes: starting, editing, submitting, withdrawing, files, and who sees what."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.proposals.models import Attachment, Proposal, ProposalVersion
from app.storage import get_storage
from app.teams.models import Membership
from tests.conftest import post
from tests.factories import create_call, create_proposal, create_team, create_user
from tests.pages import field_error, input_value, text
from tests.proposals.conftest import edit_form

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _reload(proposal: Proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def _trail(proposal, action=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.subject_type == "proposals", AuditEntry.subject_id == proposal.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def _textarea(response, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>',
                      response.get_data(as_text=True), flags=re.S)
    return html.unescape(match.group(1)).strip() if match else None


@pytest.fixture
def draft(team, call):
    return create_proposal(team, call, title="Voices of Peace")


@pytest.fixture
def empty_draft(team, call, lead):
    from app.db import utcnow
    from app.proposals.services import start_proposal

    return start_proposal(lead, team, call, utcnow())


# -- starting ---------------------------------------------------------------------------------------
def test_start_creates_a_draft_and_opens_it(client, login, lead, team, call):
    login(lead)
    page = client.get(f"/proposals/new?call_id={call.id}")
    assert page.status_code == 200
    assert "Bridges" in text(page)

    response = post(client, f"/proposals/new?call_id={call.id}", {"team": str(team.id)})

    proposal = db.session.scalars(select(Proposal).where(Proposal.team_id == team.id)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}/edit")
    assert proposal.state == "draft" and proposal.created_by_id == lead.id
    assert [e.action for e in _trail(proposal)] == ["proposal.created"]


def test_a_second_draft_for_the_same_call_is_refused_with_a_link_to_the_first(client, login, lead, team, call,
                                                                             empty_draft):
    login(lead)
    response = post(client, f"/proposals/new?call_id={call.id}", {"team": str(team.id)})
    assert response.status_code == 400
    assert "already has a draft for this call" in field_error(response, "team")
    assert f'href="/proposals/{empty_draft.id}/edit"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_start_refuses_a_team_the_person_is_not_in(client, login, lead, team, call):
    other = create_team(create_user("youth"))
    login(lead)
    response = post(client, f"/proposals/new?call_id={call.id}", {"team": str(other.id)})
    assert response.status_code == 400
    assert field_error(response, "team") == "Choose one of your teams."
    assert db.session.scalars(select(Proposal)).all() == []


def test_start_without_choosing_a_team(client, login, lead, team, call):
    login(lead)
    response = post(client, f"/proposals/new?call_id={call.id}", {"team": ""})
    assert response.status_code == 400
    assert field_error(response, "team") == "Choose the team that proposes the project."


def test_start_for_a_closed_call(client, login, lead, team):
    call = create_call(opens_in_days=-30, closes_in_days=-1)
    login(lead)
    page = client.get(f"/proposals/new?call_id={call.id}")
    assert page.status_code == 200
    assert "This call does not take proposals now." in text(page)
    assert post(client, f"/proposals/new?call_id={call.id}", {"team": str(team.id)}).status_code == 403


def test_start_without_a_team_says_to_make_one(client, login, call):
    login(create_user("youth"))
    assert "Create a team or join one first." in text(client.get(f"/proposals/new?call_id={call.id}"))


def test_start_for_a_missing_or_unpublished_call(client, login, lead, team):
    login(lead)
    assert client.get("/proposals/new?call_id=999999").status_code == 404
    assert client.get("/proposals/new").status_code == 404
    draft_call = create_call(state="draft")
    assert client.get(f"/proposals/new?call_id={draft_call.id}").status_code == 403


# -- editing ----------------------------------------------------------------------------------------
def test_the_edit_page_shows_what_is_stored(client, login, mate, draft):
    login(mate)  # every member can edit, not only the lead
    page = client.get(f"/proposals/{draft.id}/edit")
    assert page.status_code == 200
    assert input_value(page, "title") == "Voices of Peace"
    assert input_value(page, "amount_requested") == "3000"
    assert input_value(page, "budget_lines-0-description") == "Microphones"
    assert input_value(page, "milestones-1-tranche_amount") == "1500"
    assert input_value(page, "lock_version") == str(draft.lock_version)


def test_save_draft_stores_an_incomplete_draft_and_records_the_fields(client, login, mate, empty_draft):
    login(mate)
    response = post(client, f"/proposals/{empty_draft.id}/edit",
                    {"lock_version": str(empty_draft.lock_version), "action": "save", "title": "Half an idea",
                     "amount_requested": "1 200,50", "budget_lines-0-category": "travel",
                     "budget_lines-0-description": "", "budget_lines-0-amount": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{empty_draft.id}/edit")
    proposal = _reload(empty_draft)
    assert proposal.title == "Half an idea"
    assert proposal.amount_requested == 120_050
    assert proposal.budget_lines == []  # a blank row is not a line
    edited = _trail(proposal, "proposal.edited")
    assert edited[-1].actor_id == mate.id
    assert edited[-1].detail["fields"] == ["title", "amount_requested"]
    assert "Your draft is saved." in text(client.get(response.headers["Location"]))


def test_letters_in_an_amount_block_that_field_only(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit",
                    edit_form(draft, title="A better title", amount_requested="three thousand",
                              **{"budget_lines-0-amount": "12abc"}))
    assert response.status_code == 400
    assert field_error(response, "amount_requested") == "Enter the amount in figures, like 1500 or 1 500,50."
    assert field_error(response, "budget_lines-0-amount") is not None
    assert input_value(response, "amount_requested") == "three thousand"  # kept as typed
    assert input_value(response, "budget_lines-0-amount") == "12abc"
    assert "Your draft is saved, except the fields marked below" in text(response)
    proposal = _reload(draft)
    assert proposal.title == "A better title"  # the rest is saved
    assert proposal.amount_requested == 300_000  # the unreadable amount keeps its stored value
    assert proposal.budget_lines[0].amount == 300_000
    # The page now carries the new lock version, so saving again works.
    assert input_value(response, "lock_version") == str(proposal.lock_version)
    again = post(client, f"/proposals/{draft.id}/edit",
                 edit_form(proposal, title="A better title", amount_requested="2500",
                           **{"budget_lines-0-amount": "2500"}))
    assert again.status_code == 302
    assert _reload(draft).amount_requested == 250_000


def test_a_milestone_without_a_due_date_is_kept_on_the_form(client, login, lead, empty_draft):
    login(lead)
    response = post(client, f"/proposals/{empty_draft.id}/edit",
                    {"lock_version": str(empty_draft.lock_version), "action": "save", "title": "T",
                     "milestones-0-title": "Launch", "milestones-0-due_date": "", "milestones-0-tranche_amount": "5"})
    assert response.status_code == 400
    assert "Enter a due date" in field_error(response, "milestones-0-due_date")
    assert input_value(response, "milestones-0-title") == "Launch"
    assert _reload(empty_draft).title == "T"


def test_too_long_a_title_is_refused_and_kept(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, title="x" * 161))
    assert response.status_code == 400
    assert field_error(response, "title") == "Use at most 160 characters."
    assert input_value(response, "title") == "x" * 161
    assert _reload(draft).title == "Voices of Peace"


def test_adding_rows_keeps_everything_typed_and_saves_nothing(client, login, lead, draft):
    login(lead)
    form = edit_form(draft, action="add-budget_lines", title="Typed, not saved", summary="A new summary")
    response = post(client, f"/proposals/{draft.id}/edit", form)
    assert response.status_code == 200
    assert input_value(response, "title") == "Typed, not saved"
    assert _textarea(response, "summary") == "A new summary"
    assert input_value(response, "budget_lines-0-description") == "Microphones"
    assert input_value(response, "budget_lines-1-description") == ""  # the new row
    assert 'id="budget_lines-1-description"' in response.get_data(as_text=True)
    assert _reload(draft).title == "Voices of Peace"

    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, action="add-milestones"))
    assert 'name="milestones-2-title"' in response.get_data(as_text=True)


def test_removing_a_row_moves_the_next_ones_up(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, action="remove-milestones-0"))
    assert response.status_code == 200
    assert input_value(response, "milestones-0-title") == "Season online"
    assert 'name="milestones-1-title"' not in response.get_data(as_text=True)
    assert len(_reload(draft).milestones) == 2  # only saving stores it

    form = edit_form(draft, action="save")
    for key in [k for k in form if k.startswith("milestones-1-")]:
        del form[key]
    form["milestones-0-tranche_amount"] = "3000"
    assert post(client, f"/proposals/{draft.id}/edit", form).status_code == 302
    assert [m.title for m in _reload(draft).milestones] == ["First episodes"]


def test_an_unknown_action_is_a_bad_request(client, login, lead, draft):
    login(lead)
    assert post(client, f"/proposals/{draft.id}/edit", edit_form(draft, action="explode")).status_code == 400


# -- submitting -------------------------------------------------------------------------------------
def test_submit_with_tranches_not_adding_up_lists_the_problem_and_keeps_everything(client, login, lead, draft):
    login(lead)
    form = edit_form(draft, action="submit", title="Voices, revised", **{"milestones-1-tranche_amount": "1000"})
    response = post(client, f"/proposals/{draft.id}/edit", form)
    assert response.status_code == 400
    page = text(response)
    assert "There is 1 problem to fix" in page
    assert "Milestone plan: The tranches add up to CA$2,500.00, but you ask for CA$3,000.00." in page
    assert 'id="milestones-error"' in response.get_data(as_text=True)
    assert input_value(response, "title") == "Voices, revised"
    assert input_value(response, "milestones-1-tranche_amount") == "1000"
    proposal = _reload(draft)
    assert proposal.state == "draft"
    assert proposal.title == "Voices, revised"  # the draft is saved all the same
    assert input_value(response, "lock_version") == str(proposal.lock_version)


def test_submit_lists_every_problem_by_field(client, login, lead, call, team):
    minor = create_user("youth", name="Sami Minor", age=13, region="CA-QC", consent="requested")
    team.memberships.append(Membership(user_id=minor.id))
    db.session.flush()
    draft = create_proposal(team, call)
    login(lead)
    form = edit_form(draft, action="submit", title="", amount_requested="6000",
                     **{"milestones-0-due_date": "2001-01-01", "budget_lines-0-description": ""})
    response = post(client, f"/proposals/{draft.id}/edit", form)
    assert response.status_code == 400
    assert field_error(response, "title") == "This field is required to submit."
    assert "awards at most CA$5,000.00" in field_error(response, "amount_requested")
    assert field_error(response, "budget_lines-0-description") == "Say what this money is for."
    assert field_error(response, "milestones-0-due_date") == "Choose a date after today."
    page = text(response)
    assert "Team: Sami Minor is waiting for a guardian's consent" in page
    assert "Budget line 1: What it pays for: Say what this money is for." in page


def test_problems_in_rows_land_on_the_right_row_when_blank_rows_come_first(client, login, lead, draft):
    login(lead)
    form = edit_form(draft, action="submit")
    # A blank first row (added and never filled) shifts the stored rows by one.
    form.update({"budget_lines-0-description": "", "budget_lines-0-amount": "", "budget_lines-1-category": "travel",
                 "budget_lines-1-description": "", "budget_lines-1-amount": "3000"})
    response = post(client, f"/proposals/{draft.id}/edit", form)
    assert field_error(response, "budget_lines-1-description") == "Say what this money is for."
    assert field_error(response, "budget_lines-0-description") is None


def test_submit_moves_the_proposal_and_tells_the_team(client, login, outbox, lead, mate, draft):
    login(mate)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, action="submit"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{draft.id}")
    proposal = _reload(draft)
    assert proposal.state == "submitted" and proposal.version == 1 and proposal.submitted_at is not None
    assert proposal.expected_reach == 2000
    assert {m.recipient for m in outbox(kind="proposal_submitted")} == {lead.email, mate.email}
    message = outbox(recipient=lead.email, kind="proposal_submitted")[0]
    assert "Voices of Peace" in message.subject
    assert f"/proposals/{draft.id}" in message.body
    page = client.get(f"/proposals/{draft.id}")
    assert "Your proposal is submitted." in text(page)
    assert "submitted" in text(page)
    assert "Version 1, submitted by Mo Mate" in text(page)


def test_submitting_an_awarded_proposal_is_refused_with_a_message(client, login, lead, team, call):
    awarded = create_proposal(team, call, state="awarded")
    login(lead)
    response = post(client, f"/proposals/{awarded.id}/edit", edit_form(awarded, action="submit"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{awarded.id}")
    assert "A proposal that is awarded cannot be moved this way (Submit)." in text(
        client.get(response.headers["Location"]))
    assert _reload(awarded).state == "awarded"


def test_a_submitted_proposal_cannot_be_edited(client, login, lead, team, call):
    submitted = create_proposal(team, call, state="submitted")
    login(lead)
    response = client.get(f"/proposals/{submitted.id}/edit")
    assert response.status_code == 302
    assert "it can no longer be edited" in text(client.get(response.headers["Location"]))
    response = post(client, f"/proposals/{submitted.id}/edit", edit_form(submitted, title="Sneaky"))
    assert response.status_code == 302
    assert _reload(submitted).title != "Sneaky"


def test_resubmission_after_changes_requested_shows_what_changed(client, login, lead, team, call):
    from app.proposals import services

    proposal = create_proposal(team, call, title="First version")
    services.submit(lead, proposal)
    proposal.state = "changes_requested"  # as a funder's request would leave it
    db.session.flush()
    login(lead)
    page = client.get(f"/proposals/{proposal.id}/edit")
    assert "Resubmit the proposal" in text(page)
    form = edit_form(_reload(proposal), action="submit", title="Second version", summary="Podcasts by young people.",
                     amount_requested="3000")
    response = post(client, f"/proposals/{proposal.id}/edit", form)
    assert response.status_code == 302
    proposal = _reload(proposal)
    assert proposal.state == "in_review" and proposal.version == 2
    assert [v.number for v in db.session.scalars(select(ProposalVersion)
                                                  .where(ProposalVersion.proposal_id == proposal.id))] == [1, 2]
    body = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "What changed from version 1 to version 2" in body
    assert "<del>" in body and "<ins>" in body
    assert "First" in body and "Second" in body


# -- two people editing at once ---------------------------------------------------------------------
def test_a_stale_save_is_a_conflict_that_keeps_what_was_typed(client, new_client, login, lead, mate, draft):
    from tests.conftest import sign_in

    other = new_client()
    sign_in(other, mate)
    opened = str(draft.lock_version)
    assert post(other, f"/proposals/{draft.id}/edit", edit_form(draft, title="Mo's title")).status_code == 302

    login(lead)
    form = edit_form(draft, title="Lina's title", summary="Lina's summary")
    form["lock_version"] = opened
    response = post(client, f"/proposals/{draft.id}/edit", form)
    assert response.status_code == 409
    page = text(response)
    assert "A teammate saved this proposal while you were editing: Mo Mate." in page
    assert "These parts now differ from the saved version: Project title, Summary." in page
    assert input_value(response, "title") == "Lina's title"
    assert _reload(draft).title == "Mo's title"

    # Saving again from the conflict page replaces the teammate's version, knowingly.
    form["lock_version"] = input_value(response, "lock_version")
    assert post(client, f"/proposals/{draft.id}/edit", form).status_code == 302
    assert _reload(draft).title == "Lina's title"


def test_a_save_without_a_lock_version_is_a_conflict(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, lock_version=None, title="New"))
    assert response.status_code == 409
    assert _reload(draft).title == "Voices of Peace"


def test_a_race_caught_by_the_database_is_a_conflict_too(client, login, lead, draft, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from app.proposals import services

    def racing(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'proposals' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(services, "save_draft", racing)
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, title="Mine"))
    assert response.status_code == 409
    assert "A teammate saved this proposal while you were editing" in text(response)
    assert input_value(response, "title") == "Mine"


def test_the_database_refuses_a_write_from_an_old_version(lead, draft):
    """The version column itself: an UPDATE from an outdated copy matches no row."""
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    db.session.execute(update(Proposal).where(Proposal.id == draft.id)
                       .values(lock_version=Proposal.lock_version + 1, title="Elsewhere")
                       .execution_options(synchronize_session=False))
    draft.title = "Here"
    with pytest.raises(StaleDataError), db.session.begin_nested():
        db.session.flush()


# -- withdrawing ------------------------------------------------------------------------------------
def test_withdraw_with_a_reason_then_twice(client, login, lead, team, call):
    submitted = create_proposal(team, call, state="submitted")
    login(lead)
    response = post(client, f"/proposals/{submitted.id}/withdraw", {"reason": "We found another funder."})
    assert response.status_code == 302
    assert _reload(submitted).state == "withdrawn"
    entry = _trail(submitted, "proposal.withdraw")[0]
    assert entry.actor_id == lead.id and entry.detail["reason"] == "We found another funder."
    page = text(client.get(f"/proposals/{submitted.id}"))
    assert "Reason: We found another funder." in page
    assert "From submitted to withdrawn." in page

    again = post(client, f"/proposals/{submitted.id}/withdraw", {})
    assert again.status_code == 302
    assert "A proposal that is withdrawn cannot be moved this way (Withdraw)." in text(
        client.get(again.headers["Location"]))


def test_withdraw_a_draft_that_was_never_submitted(client, login, mate, draft):
    login(mate)
    assert post(client, f"/proposals/{draft.id}/withdraw", {}).status_code == 302
    proposal = _reload(draft)
    assert proposal.state == "withdrawn" and proposal.submitted_at is None


def test_only_the_team_withdraws(client, login, team, call):
    submitted = create_proposal(team, call, state="submitted")
    login(create_user("coordinator"))
    assert post(client, f"/proposals/{submitted.id}/withdraw", {}).status_code == 403
    assert _reload(submitted).state == "submitted"


def test_too_long_a_reason(client, login, lead, team, call):
    submitted = create_proposal(team, call, state="submitted")
    login(lead)
    response = post(client, f"/proposals/{submitted.id}/withdraw", {"reason": "x" * 1001})
    assert response.status_code == 400
    assert field_error(response, "reason") == "Use at most 1000 characters."
    assert _reload(submitted).state == "submitted"


# -- who sees what ----------------------------------------------------------------------------------
def test_a_member_of_another_team_gets_403_everywhere(client, login, draft):
    login(create_user("youth"))
    other_team = create_team(create_user("youth"))
    assert other_team  # the outsider leads nothing here; being in some team changes nothing
    for url in (f"/proposals/{draft.id}", f"/proposals/{draft.id}/edit"):
        assert client.get(url).status_code == 403
    outsider_lead = other_team.lead
    login(outsider_lead)
    assert client.get(f"/proposals/{draft.id}").status_code == 403
    assert post(client, f"/proposals/{draft.id}/edit", edit_form(draft)).status_code == 403
    assert post(client, f"/proposals/{draft.id}/withdraw", {}).status_code == 403


def test_funders_see_submitted_proposals_of_their_calls_only(client, login, team):
    funder = create_user("funder")
    call = create_call(funder)
    draft = create_proposal(team, call)
    submitted = create_proposal(create_team(), call, state="submitted")
    login(funder)
    assert client.get(f"/proposals/{submitted.id}").status_code == 200
    assert client.get(f"/proposals/{draft.id}").status_code == 403
    assert client.get(f"/proposals/{submitted.id}/edit").status_code == 403
    login(create_user("funder"))
    assert client.get(f"/proposals/{submitted.id}").status_code == 403


def test_people_outside_the_team_see_first_names_in_the_history(client, login, lead, team):
    funder = create_user("funder")
    call = create_call(funder)
    proposal = create_proposal(team, call)
    from app.proposals import services

    services.submit(lead, proposal)
    db.session.flush()
    login(funder)
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "Lina" in page and "Lina Lead" not in page


def test_the_proposal_page_shows_money_content_and_history(client, login, lead, draft):
    login(lead)
    post(client, f"/proposals/{draft.id}/edit", edit_form(draft, title="Renamed"))
    page = text(client.get(f"/proposals/{draft.id}"))
    assert "Renamed" in page
    assert "CA$3,000.00" in page and "CA$1,500.00" in page
    assert "draft" in page
    assert "Lina Lead edited Changed: Project title" in page


def test_a_missing_proposal_is_404(client, login, lead):
    login(lead)
    assert client.get("/proposals/999999").status_code == 404


def test_my_proposals_and_the_team_page_list_them(client, login, lead, draft, call):
    login(lead)
    page = text(client.get("/proposals/"))
    assert "Voices of Peace" in page and "Bridges" in page and "Voices 2027" in page
    assert "Calls open for proposals" in page
    team_page = text(client.get(f"/teams/{draft.team_id}"))
    assert "Voices of Peace" in team_page
    other = create_user("youth")
    login(other)
    assert "Voices of Peace" not in text(client.get("/proposals/"))


def test_the_nav_shows_proposals_to_youth(client, login, lead):
    login(lead)
    assert 'href="/proposals/"' in client.get("/dashboard").get_data(as_text=True)
    login(create_user("funder"))
    assert 'href="/proposals/"' not in client.get("/dashboard").get_data(as_text=True)


# -- attachments ------------------------------------------------------------------------------------
def _upload(client, proposal, kind, content, filename):
    return post(client, f"/proposals/{proposal.id}/attachments",
                {"kind": kind, "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def test_upload_download_and_remove_an_attachment(client, login, lead, mate, draft):
    login(mate)
    response = _upload(client, draft, "pitch_deck", PDF, "deck.pdf")
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment).where(Attachment.proposal_id == draft.id)).one()
    assert (attachment.filename, attachment.content_type, attachment.size) == ("deck.pdf", "application/pdf", len(PDF))
    assert attachment.uploaded_by_id == mate.id
    assert get_storage().exists(attachment.storage_key)
    assert "deck.pdf" in text(client.get(f"/proposals/{draft.id}/edit"))

    download = client.get(f"/proposals/{draft.id}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "deck.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()

    key = attachment.storage_key
    response = post(client, f"/proposals/{draft.id}/attachments/{attachment.id}/delete", {})
    assert response.status_code == 302
    assert db.session.scalars(select(Attachment)).all() == []
    assert not get_storage().exists(key)
    assert [e.action for e in _trail(draft) if "attachment" in e.action] == [
        "proposal.attachment_added", "proposal.attachment_removed"]


def test_an_upload_of_the_wrong_type_is_refused_beside_the_field(client, login, lead, draft):
    login(lead)
    response = _upload(client, draft, "video", PNG, "teaser.png")
    assert response.status_code == 400
    assert "This type of file is not accepted here" in field_error(response, "file")
    assert db.session.scalars(select(Attachment)).all() == []


def test_an_upload_whose_name_lies_about_its_content_is_refused(client, login, lead, draft):
    login(lead)
    response = _upload(client, draft, "pitch_deck", b"MZ\x90\x00 not a pdf at all", "deck.pdf")
    assert response.status_code == 400
    assert "This file's content is not PDF" in field_error(response, "file")


def test_an_upload_over_the_size_limit_is_refused(app, client, login, lead, draft, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_LIMITS", {"pitch_deck": 64})
    login(lead)
    response = _upload(client, draft, "pitch_deck", PDF + b"x" * 100, "deck.pdf")
    assert response.status_code == 400
    assert "The file is too large" in field_error(response, "file")


def test_an_upload_without_a_file_or_kind(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/attachments", {"kind": "pitch_deck"},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert field_error(response, "file") == "Choose a file to upload."
    response = _upload(client, draft, "spreadsheet", PDF, "deck.pdf")
    assert response.status_code == 400
    assert field_error(response, "kind") is not None


def test_attachments_follow_the_proposals_permissions(client, login, lead, team, call):
    funder = call.owner
    submitted = create_proposal(team, call, state="submitted")
    stored = get_storage().save(io.BytesIO(PDF), filename="deck.pdf", content_type="application/pdf")
    attachment = Attachment(proposal_id=submitted.id, kind="pitch_deck", filename="deck.pdf",
                            content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                            storage_key=stored.key)
    db.session.add(attachment)
    db.session.flush()
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}"

    assert client.get(url).status_code == 302  # anonymous: sign in first
    login(create_user("youth"))
    assert client.get(url).status_code == 403
    login(funder)
    assert client.get(url).status_code == 200
    login(lead)
    assert client.get(url).status_code == 200
    assert client.get(f"/proposals/{submitted.id}/attachments/999999").status_code == 404
    # Not while the proposal is submitted: no new files and none removed.
    assert post(client, f"{url}/delete", {}).status_code == 403
    assert _upload(client, submitted, "pitch_deck", PDF, "deck2.pdf").status_code == 403


def test_an_attachment_of_another_proposal_is_not_found_through_this_one(client, login, lead, team, call):
    mine = create_proposal(team, call)
    theirs = create_proposal(create_team(), create_call())
    stored = get_storage().save(io.BytesIO(PDF), filename="x.pdf", content_type="application/pdf")
    attachment = Attachment(proposal_id=theirs.id, kind="pitch_deck", filename="x.pdf", content_type="application/pdf",
                            size=stored.size, sha256=stored.sha256, storage_key=stored.key)
    db.session.add(attachment)
    db.session.flush()
    login(lead)
    assert client.get(f"/proposals/{mine.id}/attachments/{attachment.id}").status_code == 404


def test_dates_in_milestones_must_be_dates(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, **{"milestones-0-due_date": "soon"}))
    assert response.status_code == 400
    assert field_error(response, "milestones-0-due_date") == "Enter a date like 2027-03-31 (year, month, day)."
    assert input_value(response, "milestones-0-due_date") == "soon"


def test_expected_reach_must_be_a_whole_number(client, login, lead, draft):
    login(lead)
    response = post(client, f"/proposals/{draft.id}/edit", edit_form(draft, expected_reach="lots"))
    assert field_error(response, "expected_reach") == "Enter a whole number, like 500."
    assert input_value(response, "expected_reach") == "lots"


def test_a_file_added_by_a_teammate_does_not_block_a_save(client, new_client, login, lead, mate, draft):
    from tests.conftest import sign_in

    opened = str(draft.lock_version)
    other = new_client()
    sign_in(other, mate)
    assert _upload(other, draft, "pitch_deck", PDF, "deck.pdf").status_code == 302
    login(lead)
    form = edit_form(draft, title="Saved after the upload")
    form["lock_version"] = opened
    assert post(client, f"/proposals/{draft.id}/edit", form).status_code == 302
    assert _reload(draft).title == "Saved after the upload"


def test_a_withdrawal_racing_another_change_is_refused_cleanly(client, login, lead, team, call, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from app.proposals import services

    submitted = create_proposal(team, call, state="submitted")

    def racing(*args, **kwargs):
        raise StaleDataError("0 rows matched")

    monkeypatch.setattr(services, "withdraw", racing)
    login(lead)
    response = post(client, f"/proposals/{submitted.id}/withdraw", {})
    assert response.status_code == 302
    assert "The proposal changed while you were doing this." in text(client.get(response.headers["Location"]))


def test_the_team_never_sees_who_reviews_its_proposal_but_the_coordinator_does(app):
    from app.reviews import services as review_services
    from tests.clients import isolated_client
    from tests.conftest import sign_in
    from tests.factories import create_call, create_proposal, create_team, create_user

    call = create_call(state="closed", opens_in_days=-30, closes_in_days=-1)
    team = create_team()
    proposal = create_proposal(team, call, state="in_review")
    coordinator = create_user("coordinator")
    reviewer = create_user("funder", name="Rita Reviewer")
    review_services.assign(coordinator, proposal, reviewer)

    lead_view = isolated_client(app)
    sign_in(lead_view, team.lead)
    team_page = lead_view.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "assigned a reviewer" not in team_page and "Rita" not in team_page
    coordinator_view = isolated_client(app)
    sign_in(coordinator_view, coordinator)
    page = coordinator_view.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "assigned a reviewer" in page
