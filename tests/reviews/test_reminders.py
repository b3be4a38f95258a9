"""Reminders before the review deadline: one per open review, never twice, never for finished reviews."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from app.reviews.reminders import send_review_reminders
from tests.factories import create_assignment, create_call, create_proposal, create_team, create_user


def _call_due_in(days: float):
    return create_call(state="closed", opens_in_days=-30, closes_in_days=-1,
                       review_deadline=utcnow() + timedelta(days=days))


def test_open_reviews_due_soon_get_one_reminder_and_a_second_run_sends_nothing(outbox):
    call = _call_due_in(2)
    proposal = create_proposal(create_team(), call, state="in_review")
    waiting = create_assignment(proposal, create_user("funder", email="waiting@example.org"))
    reading = create_assignment(proposal, create_user("mentor", email="reading@example.org"), state="accepted")
    create_assignment(proposal, create_user("funder", email="done@example.org"), state="submitted", scores=[4, 4])
    create_assignment(proposal, create_user("funder", email="recused@example.org"), state="conflict_declared")

    assert send_review_reminders() == 2
    assert send_review_reminders() == 0  # the same day, or any later run

    reminded = sorted(message.recipient for message in outbox(kind="review_reminder"))
    assert reminded == ["reading@example.org", "waiting@example.org"]
    assert waiting.reminder_sent_at is not None and reading.reminder_sent_at is not None
    message = outbox(recipient="waiting@example.org", kind="review_reminder")[0]
    assert f"/reviews/{waiting.id}" in message.body and call.title in message.subject


def test_deadlines_far_away_or_already_past_send_nothing(outbox):
    far = create_proposal(create_team(), _call_due_in(10), state="in_review")
    past = create_proposal(create_team(), _call_due_in(-1), state="in_review")
    no_deadline = create_proposal(create_team(), create_call(state="closed", opens_in_days=-30, closes_in_days=-1),
                                  state="in_review")
    far_assignment = create_assignment(far)
    create_assignment(past)
    create_assignment(no_deadline)

    assert send_review_reminders() == 0
    assert send_review_reminders(days_before=11) == 1  # the far one, once the window reaches it
    assert [m.recipient for m in outbox(kind="review_reminder")] == [far_assignment.reviewer.email]


def test_the_command_reports_what_it_queued(app):
    call = _call_due_in(1)
    create_assignment(create_proposal(create_team(), call, state="in_review"))
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "1 review reminder(s) queued." in result.output
