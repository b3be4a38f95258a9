"""Milestone reminders and overdue flags: once per due date, by the call's local calendar, with a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from app import db
from app.db import get_database, utcnow
from app.notices.models import Notification
from app.projects.models import ProjectMilestone
from app.projects.reminders import (
    flag_overdue_milestones,
    is_overdue,
    milestones_due_soon,
    milestones_newly_overdue,
    send_milestone_reminders,
)
from tests.factories import create_call, create_mentor, create_mentorship, create_project, create_team, create_user

MARCH_5 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _milestone(due: date, *, zone: str = "America/Toronto", grant_state: str = "active", state: str = "planned",
               team=None) -> ProjectMilestone:
    """The first milestone of a fresh project, due on `due` in `zone`; the others are a year later."""
    call = create_call()
    call.timezone = zone
    grant = create_project(team, call, state=grant_state)
    first, *others = db.session.scalars(
        select(ProjectMilestone).where(ProjectMilestone.grant_id == grant.id).order_by(ProjectMilestone.position))
    first.due_date, first.state = due, state
    for other in others:
        other.due_date = due + timedelta(days=365)
    db.session.flush()
    return first


def _notices(kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)))


def _count(kind: str) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == kind))


def test_a_milestone_due_soon_reminds_its_team_once_and_later_runs_send_nothing(outbox):
    lead, member = create_user(email="lead@example.org"), create_user(email="member@example.org")
    milestone = _milestone(date(2026, 3, 10), team=create_team(lead, member))

    assert send_milestone_reminders(MARCH_5) == 1
    assert milestone.reminder_sent_at == MARCH_5
    for later in (MARCH_5, MARCH_5 + timedelta(hours=8), MARCH_5 + timedelta(days=1)):  # the same day, or any later
        assert send_milestone_reminders(later) == 0

    notices = _notices("milestone_due_soon")
    assert sorted(notice.user_id for notice in notices) == sorted([lead.id, member.id])
    assert notices[0].params["milestone"] == milestone.title and notices[0].params["due"] == "2026-03-10"
    assert notices[0].link == f"/projects/milestones/{milestone.id}"
    emails = outbox(kind="notice")
    assert sorted(message.recipient for message in emails) == ["lead@example.org", "member@example.org"]
    assert "March 10, 2026" in emails[0].body and f"/projects/milestones/{milestone.id}" in emails[0].body
    assert flag_overdue_milestones(MARCH_5) == 0  # due soon is not late


def test_the_reminder_window_counts_days_in_the_calls_zone():
    # Auckland is UTC+13 in March: its 10 March starts at 11:00 UTC on the 9th, and 17 March is then 7 days off.
    milestone = _milestone(date(2026, 3, 17), zone="Pacific/Auckland")
    evening_in_auckland = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)

    assert send_milestone_reminders(evening_in_auckland - MINUTE) == 0  # still the 9th there: 8 days off
    assert send_milestone_reminders(evening_in_auckland) == 1
    assert milestone.reminder_sent_at == evening_in_auckland


def test_far_away_due_dates_wait_and_a_wider_window_reaches_them():
    _milestone(date(2026, 3, 15))  # ten days after MARCH_5

    assert send_milestone_reminders(MARCH_5) == 0
    assert send_milestone_reminders(MARCH_5, days_before=10) == 1


BOUNDARIES = [
    # zone, due date, the UTC instant the due date ends there
    ("America/Toronto", date(2026, 2, 10), datetime(2026, 2, 11, 5, 0, tzinfo=UTC)),  # EST, UTC-5
    ("America/Toronto", date(2026, 7, 10), datetime(2026, 7, 11, 4, 0, tzinfo=UTC)),  # EDT, UTC-4
    ("America/Toronto", date(2026, 3, 10), datetime(2026, 3, 11, 4, 0, tzinfo=UTC)),  # summer time began 8 March
    ("Pacific/Auckland", date(2026, 3, 10), datetime(2026, 3, 10, 11, 0, tzinfo=UTC)),  # NZDT, UTC+13
    ("Pacific/Auckland", date(2026, 7, 10), datetime(2026, 7, 10, 12, 0, tzinfo=UTC)),  # NZST, UTC+12
    ("Pacific/Kiritimati", date(2026, 3, 10), datetime(2026, 3, 10, 10, 0, tzinfo=UTC)),  # UTC+14
    ("Pacific/Pago_Pago", date(2026, 3, 10), datetime(2026, 3, 11, 11, 0, tzinfo=UTC)),  # UTC-11
    ("UTC", date(2026, 3, 10), datetime(2026, 3, 11, 0, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "due", "ended"), BOUNDARIES, ids=[f"{z}-{d}" for z, d, _ in BOUNDARIES])
def test_a_milestone_is_overdue_from_midnight_after_its_due_date_in_the_calls_zone(zone, due, ended):
    milestone = _milestone(due, zone=zone)
    assert ended.astimezone(ZoneInfo(zone)).date() == due + timedelta(days=1)  # the table above is right

    assert not is_overdue(milestone, ended - MINUTE)
    assert flag_overdue_milestones(ended - MINUTE) == 0
    assert milestone.overdue_since is None

    assert is_overdue(milestone, ended)
    assert flag_overdue_milestones(ended) == 1
    assert milestone.overdue_since == ended  # when the due date ended there, not when cron happened to run
    assert flag_overdue_milestones(ended + timedelta(hours=3)) == 0


def test_an_overdue_milestone_is_flagged_once_for_the_team_its_mentors_and_the_coordinators(outbox):
    lead, member = create_user(email="lead@example.org"), create_user(email="member@example.org")
    team = create_team(lead, member)
    mentor = create_mentor(create_user("mentor", email="mentor@example.org"))
    create_mentorship(team, mentor)
    create_mentorship(team, create_mentor(create_user("mentor", email="former@example.org")), state="ended")
    create_user("coordinator", email="coordinator@example.org")
    create_user("funder", email="funder@example.org")
    milestone = _milestone(date(2026, 3, 10), team=team)
    late = datetime(2026, 3, 12, 13, 0, tzinfo=UTC)

    assert flag_overdue_milestones(late) == 1
    assert flag_overdue_milestones(late) == 0
    assert flag_overdue_milestones(late + timedelta(days=2)) == 0

    told = sorted(message.recipient for message in outbox(kind="notice"))
    assert told == ["coordinator@example.org", "lead@example.org", "member@example.org", "mentor@example.org"]
    notice = _notices("milestone_overdue")[0]
    assert notice.params == {"title": milestone.grant.proposal.title, "actor": "", "milestone": milestone.title,
                             "due": "2026-03-10"}
    assert send_milestone_reminders(late) == 0  # a late milestone is flagged, not reminded


def test_a_mentor_no_longer_allowed_to_mentor_a_team_with_minors_is_not_told():
    team = create_team(create_user(age=16, consent="given"))
    vetted, unvetted = create_mentor(), create_mentor(vetted=False)
    create_mentorship(team, vetted)
    create_mentorship(team, unvetted)
    now = utcnow()
    today_there = now.astimezone(ZoneInfo("America/Toronto")).date()
    _milestone(today_there + timedelta(days=3), team=team)

    assert send_milestone_reminders(now) == 1
    assert {notice.user_id for notice in _notices("milestone_due_soon")} == {team.lead_id, vetted.id}


@pytest.mark.parametrize("grant_state", ["awarded", "cancelled"])
def test_projects_not_under_way_get_nothing(grant_state):
    milestone = _milestone(date(2026, 3, 10), grant_state="awarded")
    milestone.grant.state = grant_state
    db.session.flush()

    assert send_milestone_reminders(MARCH_5) == 0
    assert flag_overdue_milestones(datetime(2026, 4, 1, tzinfo=UTC)) == 0
    assert _count("milestone_due_soon") == _count("milestone_overdue") == 0


def test_completed_projects_and_approved_or_submitted_milestones_are_never_reminded_or_overdue():
    completed = create_project(state="completed")
    submitted = _milestone(date(2026, 3, 10), state="submitted")
    approved = _milestone(date(2026, 3, 10))
    approved.state, approved.approved_at = "approved", MARCH_5
    milestones = [*db.session.scalars(select(ProjectMilestone).where(ProjectMilestone.grant_id == completed.id)),
                  submitted, approved]
    for milestone in milestones:
        milestone.due_date = date(2026, 3, 10)
    db.session.flush()
    long_after = datetime(2027, 1, 1, tzinfo=UTC)

    assert send_milestone_reminders(MARCH_5) == 0
    assert flag_overdue_milestones(long_after) == 0
    assert not any(is_overdue(milestone, long_after) for milestone in milestones)


def test_changes_requested_after_the_due_date_is_overdue_unless_already_flagged():
    on_time = _milestone(date(2026, 3, 10), state="submitted")  # sent before its due date
    late_then_sent = _milestone(date(2026, 3, 10))
    assert flag_overdue_milestones(datetime(2026, 3, 11, 12, 0, tzinfo=UTC)) == 1  # only the one still owed
    late_then_sent.state = "submitted"
    db.session.flush()

    on_time.state = late_then_sent.state = "changes_requested"  # the approver asks for more, after the due date
    db.session.flush()
    assert flag_overdue_milestones(datetime(2026, 3, 20, 12, 0, tzinfo=UTC)) == 1
    assert on_time.overdue_since == datetime(2026, 3, 11, 4, 0, tzinfo=UTC)
    assert _count("milestone_overdue") == 2  # one each, to its one-person team


def test_moving_the_due_date_gives_fresh_reminders_and_a_fresh_overdue_flag():
    milestone = _milestone(date(2026, 3, 10))
    assert send_milestone_reminders(MARCH_5) == 1
    assert flag_overdue_milestones(datetime(2026, 3, 12, tzinfo=UTC)) == 1

    # What accepting a due-date change does to the row.
    milestone.due_date, milestone.reminder_sent_at, milestone.overdue_since = date(2026, 3, 20), None, None
    db.session.flush()
    assert flag_overdue_milestones(datetime(2026, 3, 12, tzinfo=UTC)) == 0  # no longer late
    assert send_milestone_reminders(datetime(2026, 3, 12, tzinfo=UTC)) == 0  # 8 days off: not yet
    assert send_milestone_reminders(datetime(2026, 3, 14, tzinfo=UTC)) == 1
    assert send_milestone_reminders(datetime(2026, 3, 15, tzinfo=UTC)) == 0
    assert flag_overdue_milestones(datetime(2026, 3, 21, 4, 0, tzinfo=UTC)) == 1
    assert (_count("milestone_due_soon"), _count("milestone_overdue")) == (2, 2)


def _busy_project(due: date):
    """A project whose team has three people and a mentor, its first milestone due on `due` in Toronto."""
    team = create_team(create_user(), create_user(), create_user())
    create_mentorship(team, create_mentor())
    return _milestone(due, team=team)


def _reads(app, fn) -> list[str]:
    """The SELECTs fn() sends, leaving out notify's per-person lookup of email preferences."""
    engine, statements = get_database(app).engine, []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return [s for s in statements if s.lstrip().upper().startswith("SELECT") and "notification_preferences" not in s]


def test_finding_what_to_send_takes_the_same_few_queries_for_one_milestone_or_many(app, count_queries):
    create_user("coordinator")
    now = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    _busy_project(date(2026, 3, 15))
    _busy_project(date(2026, 3, 10))

    def find():
        for milestone in [*milestones_due_soon(now), *milestones_newly_overdue(now)]:
            assert milestone.grant.call.timezone and milestone.grant.proposal.title
            assert all(member.email and member.roles for member in milestone.grant.team.members)

    one_each = count_queries(find)
    for _ in range(4):
        _busy_project(date(2026, 3, 15))
        _busy_project(date(2026, 3, 10))
    db.session.expunge_all()
    assert count_queries(find) == one_each <= 14

    # The whole run: its reads do not grow with the milestones; only the notices' own writes do.
    first = _reads(app, lambda: (send_milestone_reminders(now), flag_overdue_milestones(now)))
    assert (_count("milestone_due_soon"), _count("milestone_overdue")) == (5 * 4, 5 * 5)
    for _ in range(4):
        _busy_project(date(2026, 3, 16))
        _busy_project(date(2026, 3, 11))
    db.session.expunge_all()
    again = _reads(app, lambda: (send_milestone_reminders(now), flag_overdue_milestones(now)))
    assert (_count("milestone_due_soon"), _count("milestone_overdue")) == (9 * 4, 9 * 5)
    assert len(again) == len(first) <= 30


def test_the_command_runs_every_reminder_prints_each_count_and_sends_nothing_twice(app, outbox):
    create_user("coordinator")
    today_there = utcnow().astimezone(ZoneInfo("America/Toronto")).date()
    _milestone(today_there + timedelta(days=3))
    _milestone(today_there + timedelta(days=6))
    _milestone(today_there - timedelta(days=5))

    first = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == ["0 review reminder(s) queued.", "2 milestone reminder(s) sent.",
                                         "1 overdue milestone(s) flagged."]
    sent = len(outbox())

    second = app.test_cli_runner().invoke(args=["reminders", "send", "--milestone-days-before", "30"])
    assert second.exit_code == 0, second.output
    assert second.output.splitlines() == ["0 review reminder(s) queued.", "0 milestone reminder(s) sent.",
                                          "0 overdue milestone(s) flagged."]
    assert len(outbox()) == sent == 4  # two teams reminded; one team and the coordinator told of the late one


def test_the_due_date_in_a_notice_reads_in_the_readers_language(app):
    from flask_babel import force_locale

    from app.notices.models import Notification
    from app.notices.services import sentence

    notice = Notification(kind="milestone_due_soon",
                          params={"milestone": "Step 1", "title": "Radio", "due": "2026-03-10"})
    with app.test_request_context(), force_locale("en"):
        assert sentence(notice) == "“Step 1” (Radio) is due on March 10, 2026."
    with app.test_request_context(), force_locale("fr"):
        assert sentence(notice) == "Le jalon « Step 1 » (Radio) est à rendre le 10 mars 2026."
