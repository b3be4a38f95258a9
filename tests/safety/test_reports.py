"""Reporting a concern about what one reads, and the coordinators' queue that triages it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db
from app.db import utcnow
from app.notices import services as notice_services
from app.safety import services
from app.safety.models import CATEGORIES, Report
from tests.conftest import post, sign_in
from tests.factories import create_call, create_proposal, create_user
from tests.teamspace.scene import audit_actions, build_scene, notices_of, thread_with_message


@pytest.fixture
def scene():
    scene = build_scene()
    scene.thread = thread_with_message(scene.team, scene.mentor, title="Feedback",
                                       body="You should share your home address with everyone.")
    scene.message = scene.thread.messages[0]
    scene.second_coordinator = create_user("coordinator", name="Carl Coord", locale="fr")
    return scene


def _report(client, subject: str, category: str = "personal_details", detail: str = "", **kwargs):
    return post(client, "/reports", {"subject": subject, "category": category, "detail": detail}, **kwargs)


def _reports() -> list[Report]:
    return list(db.session.scalars(select(Report).order_by(Report.id)))


# -- reporting -----------------------------------------------------------------------------------------------
def test_a_member_sees_a_report_link_and_the_form_shows_what_is_reported(client, scene):
    db.commit()
    sign_in(client, scene.minor)
    thread_page = client.get(f"/teams/{scene.team.id}/space/threads/{scene.thread.id}").get_data(as_text=True)
    assert f'href="/reports/new?subject=team_message:{scene.message.id}"' in thread_page
    page = client.get(f"/reports/new?subject=team_message:{scene.message.id}").get_data(as_text=True)
    assert "You should share your home address with everyone." in page
    assert "A child may be at risk" in page and "Something else" in page
    assert f'value="team_message:{scene.message.id}"' in page


def test_reporting_tells_every_coordinator_and_returns_to_the_thread(client, scene, outbox):
    db.commit()
    sign_in(client, scene.minor)
    response = _report(client, f"team_message:{scene.message.id}", detail="He asked me privately too.")
    assert response.status_code == 302
    assert response.headers["Location"] == (f"/teams/{scene.team.id}/space/threads/{scene.thread.id}"
                                             f"#message-{scene.message.id}")
    [report] = _reports()
    assert (report.reporter_id, report.subject_type, report.subject_id, report.team_id, report.state) == (
        scene.minor.id, "team_message", scene.message.id, scene.team.id, "open")
    assert report.severity == services.SEVERITY["personal_details"] == 1
    assert report.detail == "He asked me privately too."
    for coordinator in (scene.coordinator, scene.second_coordinator):
        [notice] = notices_of(coordinator, "concern_reported")
        assert notice.link == f"/reports/{report.id}"
        assert len(outbox(coordinator.email, "notice")) == 1
    assert notice_services.sentence(notices_of(scene.coordinator)[0]) == (
        "Mia reported a concern: Someone's personal details are exposed.")
    assert notices_of(scene.mentor, "concern_reported") == [] and notices_of(scene.lead, "concern_reported") == []
    assert [e.subject_id for e in audit_actions("report.created")] == [report.id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you: the coordinators have been told." in page


def test_reporting_the_same_thing_twice_while_open_makes_no_duplicate(client, scene):
    db.commit()
    sign_in(client, scene.minor)
    assert _report(client, f"team_message:{scene.message.id}").status_code == 302
    response = _report(client, f"team_message:{scene.message.id}", category="harassment", follow_redirects=True)
    assert "You have already reported this." in response.get_data(as_text=True)
    assert len(_reports()) == 1
    assert len(notices_of(scene.coordinator, "concern_reported")) == 1
    sign_in(client, scene.lead)  # someone else may report it too
    assert _report(client, f"team_message:{scene.message.id}").status_code == 302
    assert len(_reports()) == 2


def test_two_reports_racing_past_the_check_still_make_one(scene, monkeypatch):
    """The second request did not see the first one's row yet: the database's unique index turns it away."""
    subject = services.load_subjects([("team_message", scene.message.id)])[("team_message", scene.message.id)]
    first = services.report(scene.minor, subject, "harassment")
    original = services.open_report_by
    calls = []

    def not_yet_then_visible(*args):
        calls.append(args)
        return None if len(calls) == 1 else original(*args)

    monkeypatch.setattr(services, "open_report_by", not_yet_then_visible)
    with pytest.raises(services.AlreadyReported) as refused:
        services.report(scene.minor, subject, "spam")
    assert refused.value.report.id == first.id
    assert len(_reports()) == 1


def test_once_closed_the_same_person_can_report_again(client, scene):
    db.commit()
    sign_in(client, scene.minor)
    _report(client, f"team_message:{scene.message.id}")
    services.close_report(scene.coordinator, _reports()[0], "Talked with the mentor.")
    db.commit()
    assert _report(client, f"team_message:{scene.message.id}").status_code == 302
    assert [r.state for r in _reports()] == ["closed", "open"]


def test_a_report_needs_a_category_and_keeps_what_was_typed(client, scene):
    db.commit()
    sign_in(client, scene.minor)
    response = _report(client, f"team_message:{scene.message.id}", category="", detail="Please look at this.")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose the kind of concern closest to what you saw." in page and "Please look at this." in page
    assert _report(client, f"team_message:{scene.message.id}", category="nonsense").status_code == 400
    response = _report(client, f"team_message:{scene.message.id}", category="spam", detail="z" * 2001)
    assert response.status_code == 400 and "Use at most 2000 characters." in response.get_data(as_text=True)
    assert _reports() == []


@pytest.mark.parametrize("subject", ["", "nonsense", "team_message:", "team_message:abc", "profile:1",
                                     "team_message:1:2", "team_message:99999999999999999999"])
def test_a_malformed_subject_is_400_with_a_message(client, scene, subject):
    db.commit()
    sign_in(client, scene.minor)
    response = client.get("/reports/new", query_string={"subject": subject})
    assert response.status_code == 400
    assert "does not say what is reported" in response.get_data(as_text=True)
    assert _report(client, subject).status_code == 400


def test_an_unknown_subject_is_404(client, scene):
    db.commit()
    sign_in(client, scene.minor)
    assert client.get("/reports/new?subject=team_message:999999").status_code == 404
    assert _report(client, "proposal_comment:999999").status_code == 404


def test_you_cannot_report_what_you_cannot_read(client, scene):
    db.commit()
    for outsider in (scene.stranger, create_user("mentor"), create_user("funder")):
        sign_in(client, outsider)
        assert client.get(f"/reports/new?subject=team_message:{scene.message.id}").status_code == 403
        assert _report(client, f"team_message:{scene.message.id}").status_code == 403
    assert _reports() == []


# -- comments on proposals ---------------------------------------------------------------------------------------
@pytest.fixture
def proposal(scene):
    return create_proposal(scene.team, create_call(), state="submitted", title="Echo Podcast")


def test_a_comment_on_a_proposal_can_be_reported_from_the_proposal_page(client, scene, proposal):
    comment = notice_services.add_comment(scene.coordinator, proposal, "team", "A rude remark.")
    db.commit()
    sign_in(client, scene.lead)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'href="/reports/new?subject=proposal_comment:{comment.id}"' in page
    assert f'id="comment-{comment.id}"' in page
    response = _report(client, f"proposal_comment:{comment.id}", category="harassment")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/proposals/{proposal.id}#comment-{comment.id}"
    [report] = _reports()
    assert (report.subject_type, report.team_id) == ("proposal_comment", scene.team.id)


def test_an_internal_comment_cannot_be_reported_by_the_team(client, scene, proposal):
    internal = notice_services.add_comment(scene.coordinator, proposal, "internal", "Budget looks thin.")
    db.commit()
    sign_in(client, scene.lead)
    assert client.get(f"/reports/new?subject=proposal_comment:{internal.id}").status_code == 403
    assert _report(client, f"proposal_comment:{internal.id}").status_code == 403
    sign_in(client, scene.stranger)
    assert _report(client, f"proposal_comment:{internal.id}").status_code == 403
    assert _reports() == []


# -- the queue ---------------------------------------------------------------------------------------------------
def _make_report(scene, category: str, minutes_ago: int, reporter=None) -> Report:
    report = services.report(reporter or create_member(scene), services.find_subject(
        f"team_message:{scene.message.id}"), category)
    report.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.flush()
    return report


def create_member(scene):
    from app.teams.models import Membership

    member = create_user("youth")
    db.session.add(Membership(team_id=scene.team.id, user_id=member.id))
    db.session.flush()
    db.session.expire(scene.team, ["memberships"])
    return member


def test_the_queue_shows_the_most_serious_first_then_the_oldest(client, scene):
    """The issue's tiers: a child at risk or imminent harm; violent extremism or personal details; hate speech;
    the rest. Within a tier, the oldest report comes first, whatever its category."""
    spam = _make_report(scene, "spam", 500)
    harassment = _make_report(scene, "harassment", 50)
    hate = _make_report(scene, "hate_speech", 5)
    details = _make_report(scene, "personal_details", 20)
    extremism = _make_report(scene, "violent_extremism", 30)
    newer_child = _make_report(scene, "child_risk", 5)
    harm = _make_report(scene, "imminent_harm", 40)
    older_child = _make_report(scene, "child_risk", 60)
    db.commit()
    sign_in(client, scene.coordinator)
    page = client.get("/reports").get_data(as_text=True)
    expected = (older_child, harm, newer_child, extremism, details, hate, spam, harassment)
    positions = [page.index(f'href="/reports/{r.id}"') for r in expected]
    assert positions == sorted(positions)
    assert "Concerns (8 open)" in page
    assert "You should share your home address with everyone." in page and "Echo Team" in page
    assert [r.id for r in db.session.scalars(services.reports_query("open"))] == [r.id for r in expected]


def test_the_severity_tiers_match_the_issue():
    tiers = {}
    for category, tier in services.SEVERITY.items():
        tiers.setdefault(tier, set()).add(category)
    assert [tiers[tier] for tier in sorted(tiers)] == [
        {"child_risk", "imminent_harm"}, {"violent_extremism", "personal_details"}, {"hate_speech"},
        {"harassment", "spam", "other"}]
    assert set(services.SEVERITY) == set(CATEGORIES)


def test_the_queue_filters_open_and_closed(client, scene):
    open_one = _make_report(scene, "spam", 5)
    closed_one = _make_report(scene, "hate_speech", 10)
    services.close_report(scene.coordinator, closed_one, "Removed by the author after a talk.")
    db.commit()
    sign_in(client, scene.coordinator)
    open_page = client.get("/reports").get_data(as_text=True)
    assert f'href="/reports/{open_one.id}"' in open_page and f'href="/reports/{closed_one.id}"' not in open_page
    closed_page = client.get("/reports?state=closed").get_data(as_text=True)
    assert f'href="/reports/{closed_one.id}"' in closed_page and f'href="/reports/{open_one.id}"' not in closed_page
    assert client.get("/reports?state=weird").status_code == 200


def test_only_coordinators_see_the_queue_and_the_nav_link(client, scene):
    report = _make_report(scene, "spam", 5)
    db.commit()
    for person in (scene.lead, scene.mentor, create_user("funder")):
        sign_in(client, person)
        assert client.get("/reports").status_code == 403
        assert client.get(f"/reports/{report.id}").status_code == 403
        assert post(client, f"/reports/{report.id}/close", {"resolution": "x"}).status_code == 403
        assert "Concerns (" not in client.get("/dashboard").get_data(as_text=True)
    sign_in(client, scene.coordinator)
    assert "Concerns (1 open)" in client.get("/dashboard").get_data(as_text=True)


def test_the_queue_sends_as_many_queries_for_10_reports_as_for_2(client, scene, proposal, count_queries):
    comment = notice_services.add_comment(scene.coordinator, proposal, "team", "Look at this.")
    _make_report(scene, "child_risk", 1)
    services.report(create_member(scene), services.find_subject(f"proposal_comment:{comment.id}"), "other")
    db.commit()
    sign_in(client, scene.coordinator)
    client.get("/reports")
    few = count_queries(lambda: client.get("/reports"))
    for number in range(8):
        if number % 2:
            _make_report(scene, CATEGORIES[number], number + 10)
        else:
            services.report(create_member(scene), services.find_subject(f"proposal_comment:{comment.id}"), "spam")
    db.commit()
    many = count_queries(lambda: client.get("/reports"))
    assert len(_reports()) == 10
    assert few == many, (few, many)


# -- one report, and closing it ------------------------------------------------------------------------------------
def test_the_report_page_shows_the_whole_message_and_a_link_in_context(client, scene):
    report = _make_report(scene, "personal_details", 5)
    db.commit()
    sign_in(client, scene.coordinator)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "You should share your home address with everyone." in page
    assert f'href="/teams/{scene.team.id}/space/threads/{scene.thread.id}#message-{scene.message.id}"' in page
    assert client.get("/reports/999999").status_code == 404


def test_closing_needs_a_note_and_is_audited(client, scene):
    report = _make_report(scene, "harassment", 5)
    db.commit()
    sign_in(client, scene.coordinator)
    response = post(client, f"/reports/{report.id}/close", {"resolution": "  "})
    assert response.status_code == 400
    assert "Say what was done, for the record." in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.state == "open"
    response = post(client, f"/reports/{report.id}/close", {"resolution": "Talked with both; the mentor apologised."})
    assert response.status_code == 302 and response.headers["Location"] == "/reports"
    db.session.refresh(report)
    assert (report.state, report.closed_by_id, report.resolution) == (
        "closed", scene.coordinator.id, "Talked with both; the mentor apologised.")
    assert report.closed_at is not None
    assert [e.subject_id for e in audit_actions("report.closed")] == [report.id]
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Talked with both; the mentor apologised." in page and "Close the report" not in page
    response = post(client, f"/reports/{report.id}/close", {"resolution": "Again"}, follow_redirects=True)
    assert "This report is already closed." in response.get_data(as_text=True)
    assert len(audit_actions("report.closed")) == 1


def test_a_report_whose_message_is_gone_still_opens(client, scene):
    report = _make_report(scene, "spam", 5)
    db.session.delete(scene.thread)
    db.commit()
    sign_in(client, scene.coordinator)
    assert "no longer there" in client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "no longer there" in client.get("/reports").get_data(as_text=True)


def test_excerpts_are_short_and_on_one_line():
    assert services.excerpt("a\n\nb") == "a b"
    text = services.excerpt("word " * 100)
    assert len(text) <= services.EXCERPT_LENGTH + 1 and text.endswith("…")
