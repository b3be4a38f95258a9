"""How moderated content is shown: read every status of a page in one query, then decide per reader.

normal: shown; with a content warning, readers open it on purpose (a <details> element, no JavaScript).
limited: only its author (or the team that answers for it) and coordinators read it; others see that it is hidden.
removed: only coordinators read it (kept for appeals and the record).
A flagged term never changes any of this: only a coordinator's decision writes a ContentStatus.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import and_, exists, select

from app import db, policy
from app.safety.models import SUBJECT_TYPES, ContentStatus


@dataclass(frozen=True)
class Shown:
    """What one reader gets of one item."""

    visibility: str = "normal"
    warning: str | None = None
    readable: bool = True  # False: the reader sees "hidden by moderation" instead of the content

    @property
    def plain(self) -> bool:
        return self.visibility == "normal" and not self.warning


NORMAL = Shown()


def statuses(subject_type: str, ids) -> dict[int, ContentStatus]:
    """The statuses of these items, in one query (none at all when nothing is asked)."""
    ids = {number for number in ids if number is not None}
    if not ids:
        return {}
    rows = db.session.scalars(select(ContentStatus).where(
        ContentStatus.subject_type == subject_type, ContentStatus.subject_id.in_(ids)))
    return {status.subject_id: status for status in rows}


def may_read(user, visibility: str, is_author: bool) -> bool:
    if visibility == "normal":
        return True
    if policy.is_coordinator(user):
        return True
    return visibility == "limited" and is_author


def shown(user, status: ContentStatus | None, is_author: bool) -> Shown:
    if status is None or (status.visibility == "normal" and not status.warning):
        return NORMAL
    return Shown(status.visibility, status.warning, may_read(user, status.visibility, is_author))


# How each kind of item names itself on a page, and whether the reader answers for it.
def _team_answers(user, proposal) -> bool:
    return policy.is_on_team(user, proposal)


_ITEMS = {
    "team_message": (lambda item: item.id, lambda user, item: item.author_id == user.id),
    "proposal_comment": (lambda item: item.id, lambda user, item: item.author_id == user.id),
    "proposal": (lambda item: item.id, _team_answers),
    "mentor_profile": (lambda item: item.id, lambda user, item: item.user_id == user.id),
    # A showcase page is a ShowcaseProject (app/showcase/queries.py), named by its grant; its lead publishes it.
    "showcase_page": (lambda item: item.grant_id, lambda user, item: item.lead_id == user.id),
}
assert set(_ITEMS) == set(SUBJECT_TYPES)


def shown_to(user, subject_type: str, items) -> dict[int, Shown]:
    """id -> what this reader gets, for every item of a page (one query); items without a status are absent."""
    items = [item for item in items if item is not None]
    id_of, answers_for = _ITEMS[subject_type]
    found = statuses(subject_type, [id_of(item) for item in items])
    signed_in = bool(getattr(user, "is_authenticated", False))
    result = {}
    for item in items:
        status = found.get(id_of(item))
        if status is not None:
            result[id_of(item)] = shown(user, status, signed_in and answers_for(user, item))
    return result


class Moderation(dict):
    """The page's answers; an item without a status reads as normal."""

    def __missing__(self, key):
        return NORMAL


def moderation_view(subject_type: str, items) -> Moderation:
    """Template global: {% set moderated = moderation_view('team_message', page.items) %}, then moderated[id]."""
    return Moderation(shown_to(current_user, subject_type, list(items or [])))


def warning_of(subject_type: str, id_column):
    """SQL: the item's content warning, as a column of the query that lists it (no query of its own)."""
    return (select(ContentStatus.warning).where(ContentStatus.subject_type == subject_type,
                                                ContentStatus.subject_id == id_column)
            .correlate_except(ContentStatus).scalar_subquery())


def warned(warning: str | None) -> Shown:
    """Template global: what a public reader gets of an item whose warning the page's own query read."""
    return Shown(warning=warning) if warning else NORMAL


def hidden_from_public(subject_type: str, id_column):
    """SQL: the item is limited or removed, so the public (and lists of public things) must leave it out."""
    return exists().where(and_(ContentStatus.subject_type == subject_type, ContentStatus.subject_id == id_column,
                               ContentStatus.visibility != "normal"))
