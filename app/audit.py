"""The audit trail: one row for every move that matters."""

from __future__ import annotations

from app import db
from app.accounts.models import AuditEntry


def record(actor, action: str, subject, **detail) -> AuditEntry:
    # Views pass current_user, a proxy: its type would name the proxy, not the record.
    subject = subject._get_current_object() if hasattr(subject, "_get_current_object") else subject
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=type(subject).__tablename__ if subject is not None else "none",
        subject_id=getattr(subject, "id", None),
        detail={key: value for key, value in detail.items() if value is not None},
    )
    db.session.add(entry)
    return entry
