"""Sending outbox rows by SMTP (or to the log), with retries that never lose a message."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select

from app import db, jobs
from app.db import utcnow
from app.mail.models import OutboxMessage

log = logging.getLogger("passerelle.mail")


def deliver_message(message_id: int) -> None:
    """Job: send one message if it is still waiting; record success or schedule a retry."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.state == "sent":
        db.session.rollback()
        return
    _attempt(message)
    db.commit()
    if current_app.extensions.get("rq_queue") is None:
        deliver_due(limit=10)


def deliver_due(limit: int = 100) -> int:
    """Send every waiting message whose retry time has come; returns how many were sent."""
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending")
        .where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .where(OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for message_id in ids:
        message = db.session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.state != "pending":
            continue
        sent += _attempt(message)
        db.commit()
    return sent


def retry_now(message: OutboxMessage) -> None:
    """A coordinator asks for another try, even after the automatic attempts ran out."""
    message.state = "pending"
    message.next_attempt_at = None
    db.session.flush()
    jobs.enqueue(deliver_message, message.id)


def _attempt(message: OutboxMessage) -> int:
    config = current_app.config
    message.attempts += 1
    try:
        if config.get("MAIL_SERVER"):
            _send_smtp(message, config)
        else:
            log.info("email to %s: %s\n%s", message.recipient, message.subject, message.body)
    except (OSError, smtplib.SMTPException) as error:
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            message.state = "failed"
            message.next_attempt_at = None
        else:
            backoff = config["MAIL_RETRY_BACKOFF"]
            delay = backoff[min(message.attempts - 1, len(backoff) - 1)]
            message.next_attempt_at = utcnow() + timedelta(seconds=delay)
            jobs.enqueue_in(delay, deliver_message, message.id)
        log.warning("email %s not sent (attempt %s): %s", message.id, message.attempts, message.last_error)
        return 0
    message.state = "sent"
    message.sent_at = utcnow()
    message.next_attempt_at = None
    message.last_error = None
    return 1


def _send_smtp(message: OutboxMessage, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    # A stable Message-ID per row lets receiving servers drop a duplicate if a retry races a success.
    domain = urlsplit(config["BASE_URL"]).hostname or "passerelle.local"
    email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
    email.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
