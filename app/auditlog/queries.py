"""Reading the audit log: the filtered entries newest first, a page of them, and every one of them in batches.

A page costs two queries (the count and the rows, each entry's actor joined in), whatever its length; the
export reads batches by keyset (after the last entry read), so a log of millions of entries streams in constant
memory and each batch costs the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from app import db
from app.accounts.models import AuditEntry, User
from app.pagination import Page, paginate

EXPORT_BATCH = 1000


@dataclass(frozen=True)
class Filters:
    action: str | None = None
    actor: str | None = None  # a piece of the name or email address of who acted
    subject_type: str | None = None
    subject_id: int | None = None
    since: date | None = None  # first day included, in the reader's time zone
    until: date | None = None  # last day included
    timezone: str = "UTC"

    @property
    def active(self) -> bool:
        return any(value not in (None, "") for value in (self.action, self.actor, self.subject_type, self.subject_id,
                                                         self.since, self.until))


def _start_of(day: date, zone: str) -> datetime:
    """Midnight of the day where the reader lives, as the UTC time entries are stored in."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def filtered(filters: Filters) -> Select:
    """The entries the filters keep, newest first, with who acted loaded in the same query."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        needle = filters.actor.strip().lower()
        people = select(User.id).where(or_(func.lower(User.display_name).contains(needle, autoescape=True),
                                           func.lower(User.email).contains(needle, autoescape=True)))
        query = query.where(AuditEntry.actor_id.in_(people))
    if filters.subject_type:
        query = query.where(AuditEntry.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.subject_id == filters.subject_id)
    if filters.since:
        query = query.where(AuditEntry.created_at >= _start_of(filters.since, filters.timezone))
    if filters.until:
        query = query.where(AuditEntry.created_at < _start_of(filters.until + timedelta(days=1), filters.timezone))
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def page_of(filters: Filters, page: int, per_page: int) -> Page:
    return paginate(filtered(filters), page, per_page)


def batch_after(filters: Filters, after: tuple[datetime, int] | None, size: int = EXPORT_BATCH) -> list[AuditEntry]:
    """The next `size` entries the filters keep, newest first, after the (time, id) of the last one read: no batch
    re-reads the ones before it, and entries added meanwhile do not shift it."""
    query = filtered(filters)
    if after is not None:
        created_at, entry_id = after
        query = query.where(or_(AuditEntry.created_at < created_at,
                                and_(AuditEntry.created_at == created_at, AuditEntry.id < entry_id)))
    return list(db.session.scalars(query.limit(size)))
