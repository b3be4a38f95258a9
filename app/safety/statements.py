"""Statements of reasons (in the spirit of the EU Digital Services Act, art. 17) and appeal answers.

The person affected by a decision gets an in-app notice and, whatever their email preferences, an email with
the whole statement: what was decided, about what, why, under which rule, that a person decided it, and how to
appeal. The email's link carries a signed key, so someone whose account is suspended (and so cannot sign in)
can still read the statement and appeal.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale

from app.accounts.services import path_for
from app.db import utcnow
from app.safety.labels import KIND_LABELS, RULE_LABELS, SUBJECT_LABELS
from app.tokens import LinkInvalid, make_link_token, read_link_token

# The DSA asks that a decision can be appealed for at least six months.
APPEAL_WINDOW = timedelta(days=183)
KEY_PURPOSE = "moderation-statement"


def statement_key(action) -> str:
    return make_link_token(KEY_PURPOSE, {"action": action.id, "user": action.affected_user_id})


def key_opens(key: str | None, action) -> bool:
    """Whether a statement link's key was made for this decision and its person, and is still within the window."""
    if not key or action.affected_user_id is None:
        return False
    try:
        payload = read_link_token(KEY_PURPOSE, key, APPEAL_WINDOW)
    except LinkInvalid:
        return False
    return payload.get("action") == action.id and payload.get("user") == action.affected_user_id


def statement_path(action) -> str:
    return path_for("moderation.decision", action_id=action.id)


def _url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def appeal_deadline(action):
    return action.created_at + APPEAL_WINDOW


def send_statement(action, subject, rule: str) -> None:
    """Tell the person affected, in their language; nobody to tell when their account is gone."""
    from app.mail.services import queue_email
    from app.notices.services import notify

    person = action.affected_user
    if person is None:
        return
    path = statement_path(action)
    with force_locale(person.locale or "en"):
        decision = str(KIND_LABELS[action.kind])
    notify([person], "moderation_statement", None, email=False, path=path, decision=decision)
    queue_email(person.email, "moderation_statement", person.locale, person=person, action=action,
                decision=KIND_LABELS[action.kind], subject_kind=SUBJECT_LABELS.get(action.subject_type),
                place=subject.place if subject is not None else "",
                excerpt=subject.excerpt if subject is not None else "", rule=RULE_LABELS.get(rule, rule),
                deadline=appeal_deadline(action), url=_url(path) + "?key=" + statement_key(action))
    action.statement_sent_at = utcnow()


def send_appeal_decision(appeal) -> None:
    """The appellant learns the outcome and its reason, in-app and by email."""
    from app.mail.services import queue_email
    from app.notices.services import notify
    from app.safety.labels import APPEAL_OUTCOME_LABELS

    person = appeal.appellant
    if person is None:
        return
    action = appeal.action
    path = statement_path(action)
    with force_locale(person.locale or "en"):
        outcome = str(APPEAL_OUTCOME_LABELS[appeal.state])
    notify([person], "appeal_decided", None, email=False, path=path, outcome=outcome)
    queue_email(person.email, "appeal_decided", person.locale, person=person, appeal=appeal, action=action,
                decision=KIND_LABELS[action.kind], outcome=APPEAL_OUTCOME_LABELS[appeal.state],
                url=_url(path) + "?key=" + statement_key(action))
