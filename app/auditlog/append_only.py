"""The portal never changes or deletes an audit entry: the ORM refuses it, whatever code asks.

Entries are added through app.audit.record; a flush that would update or delete one, and an ORM UPDATE or
DELETE statement on AuditEntry, raise instead. The one sanctioned rewrite is the erasure of a person's
identifiers (app/privacy/scrub.py), which the law requires and which works on the table itself.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import AuditEntry


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit entry."""


def _refuse_changed_entries(session: Session, _context, _instances) -> None:
    for entry in session.deleted:
        if isinstance(entry, AuditEntry):
            raise AuditLogIsAppendOnly(f"audit entry {entry.id} cannot be deleted")
    for entry in session.dirty:
        if isinstance(entry, AuditEntry) and session.is_modified(entry):
            raise AuditLogIsAppendOnly(f"audit entry {entry.id} cannot be changed")


def _refuse_bulk_statements(state) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEntry for m in state.all_mappers):
        raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")


def install() -> None:
    """Listen on every session (idempotent: several apps in one process install it once)."""
    if not event.contains(Session, "before_flush", _refuse_changed_entries):
        event.listen(Session, "before_flush", _refuse_changed_entries)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_statements):
        event.listen(Session, "do_orm_execute", _refuse_bulk_statements)
