"""Queue emails in the outbox; delivery happens after the commit."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from app import db, jobs
from app.mail.models import OutboxMessage


def queue_email(recipient: str, kind: str, locale: str, **context) -> OutboxMessage:
    """Render templates/email/<kind>.txt in the recipient's language and queue it for delivery."""
    with force_locale(locale or "en"):
        rendered = render_template(f"email/{kind}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(recipient=recipient, kind=kind, subject=subject.strip()[:200], body=body.strip())
    db.session.add(message)
    db.session.flush()
    from app.mail.delivery import deliver_message

    jobs.enqueue(deliver_message, message.id)
    return message
