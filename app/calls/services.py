"""Call verbs: create, edit, edit once published, add a funder. They flush; the request commits.

State changes (publish, close, reopen, archive) go through app.calls.workflow.transition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, or_, select

from app import audit, db, policy
from app.accounts.models import User
from app.accounts.services import find_user_by_email
from app.calls.models import CURRENCIES, THEMES, Call, CallFunder, Criterion
from app.db import utcnow
from app.i18n import is_timezone
from app.money import MAX_UNITS, decimals_of
from app.validation import ValidationFailed

# Closed calls stay in the public list this long after their closing time, so teams can still find them.
RECENTLY_CLOSED = timedelta(days=60)
LEVELS = 5


@dataclass
class CriterionFields:
    title: str
    description: str = ""
    weight: int = 1
    allow_not_applicable: bool = False
    level_descriptors: list[str] = field(default_factory=lambda: [""] * LEVELS)


@dataclass
class CallFields:
    """What a person sets on a call; times are aware UTC datetimes, amounts are minor units."""

    title: str
    currency: str
    pool_amount: int
    max_award: int
    timezone: str
    opens_at: datetime
    closes_at: datetime
    description: str = ""
    themes: list[str] = field(default_factory=list)
    min_age: int = 13
    max_age: int = 25
    countries: list[str] = field(default_factory=list)
    min_team_size: int = 1
    max_team_size: int = 10
    review_deadline: datetime | None = None
    min_reviews: int = 2
    blind_review: bool = False
    criteria: list[CriterionFields] = field(default_factory=list)


def _problems(fields: CallFields) -> list[tuple[str | None, object]]:
    """The rules the database also enforces, said in words, so a bad value never reaches it."""
    problems: list[tuple[str | None, object]] = []
    if not fields.title.strip():
        problems.append(("title", _l("This field is required.")))
    if fields.currency not in CURRENCIES:
        problems.append(("currency", _l("Choose a currency from the list.")))
    if not set(fields.themes) <= set(THEMES):
        problems.append(("themes", _l("Choose themes from the list.")))
    if not is_timezone(fields.timezone):
        problems.append(("timezone", _l("Choose a time zone from the list.")))
    limit = MAX_UNITS * 10 ** decimals_of(fields.currency)
    if not 0 <= fields.pool_amount <= limit:
        problems.append(("pool_amount", _l("Enter an amount that is not negative.")))
    if fields.max_award <= 0:
        problems.append(("max_award", _l("Enter an amount greater than zero.")))
    elif fields.max_award > fields.pool_amount:
        problems.append(("max_award", _l("The largest award cannot be more than the total pool.")))
    if fields.closes_at <= fields.opens_at:
        problems.append(("closes_at", _l("The closing time must come after the opening time.")))
    if fields.review_deadline is not None and fields.review_deadline <= fields.closes_at:
        problems.append(("review_deadline", _l("The review deadline must come after the closing time.")))
    if fields.max_age < fields.min_age:
        problems.append(("max_age", _l("The oldest age cannot be below the youngest age.")))
    if not 1 <= fields.min_team_size <= fields.max_team_size:
        problems.append(("max_team_size", _l("The largest team cannot be smaller than the smallest team.")))
    if fields.min_reviews < 1:
        problems.append(("min_reviews", _l("Enter a number from 1 to 10.")))
    if not fields.criteria:
        problems.append(("criteria", _l("Add at least one criterion to the rubric.")))
    if any(criterion.weight is None or criterion.weight <= 0 for criterion in fields.criteria):
        problems.append(("criteria", _l("Give every criterion a weight greater than zero.")))
    return problems


def _apply(call: Call, fields: CallFields) -> None:
    call.title = fields.title.strip()
    call.description = (fields.description or "").strip()
    call.themes = [theme for theme in THEMES if theme in fields.themes]
    call.min_age, call.max_age = fields.min_age, fields.max_age
    call.countries = sorted(set(fields.countries))
    call.min_team_size, call.max_team_size = fields.min_team_size, fields.max_team_size
    call.currency = fields.currency
    call.pool_amount, call.max_award = fields.pool_amount, fields.max_award
    call.timezone = fields.timezone
    call.opens_at, call.closes_at = fields.opens_at, fields.closes_at
    call.review_deadline = fields.review_deadline
    call.min_reviews = fields.min_reviews
    call.blind_review = fields.blind_review
    call.criteria.clear()
    for position, criterion in enumerate(fields.criteria):
        descriptors = [(text or "").strip() for text in criterion.level_descriptors][:LEVELS]
        call.criteria.append(Criterion(
            position=position, title=criterion.title.strip(), description=(criterion.description or "").strip(),
            weight=criterion.weight, allow_not_applicable=criterion.allow_not_applicable,
            level_descriptors=descriptors + [""] * (LEVELS - len(descriptors))))


def create_call(actor: User, fields: CallFields) -> Call:
    problems = _problems(fields)
    if problems:
        raise ValidationFailed(problems)
    call = Call(owner_id=actor.id, state="draft")
    _apply(call, fields)
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "call.created", call)
    return call


def update_call(actor: User, call: Call, fields: CallFields) -> None:
    """Change everything about a draft; a published call changes through update_open_call only."""
    if call.state != "draft":
        raise ValidationFailed([(None, _l("Only a draft call can be changed this way."))])
    problems = _problems(fields)
    if problems:
        raise ValidationFailed(problems)
    _apply(call, fields)
    db.session.flush()
    audit.record(actor, "call.updated", call)


def update_open_call(actor: User, call: Call, *, description: str, closes_at: datetime,
                     review_deadline: datetime | None, now: datetime | None = None) -> None:
    """After publishing, only the description, the closing time and the review deadline may change."""
    now = now or utcnow()
    # The form shows times to the minute: an unchanged field must not move a time stored with seconds.
    closes_at = call.closes_at if _same_minute(closes_at, call.closes_at) else closes_at
    if _same_minute(review_deadline, call.review_deadline):
        review_deadline = call.review_deadline
    if call.state not in ("published", "closed"):
        raise ValidationFailed([(None, _l("This call cannot be changed any more."))])
    problems: list[tuple[str | None, object]] = []
    if closes_at <= call.opens_at:
        problems.append(("closes_at", _l("The closing time must come after the opening time.")))
    elif call.state == "published" and closes_at <= now and closes_at != call.closes_at:
        problems.append(("closes_at", _l("Choose a closing time in the future. To stop taking proposals now, "
                                         "close the call instead.")))
    if review_deadline is not None and review_deadline <= closes_at:
        problems.append(("review_deadline", _l("The review deadline must come after the closing time.")))
    if problems:
        raise ValidationFailed(problems)
    changed = sorted(name for name, old, new in (
        ("description", call.description, (description or "").strip()),
        ("closes_at", call.closes_at, closes_at),
        ("review_deadline", call.review_deadline, review_deadline)) if old != new)
    call.description = (description or "").strip()
    call.closes_at = closes_at
    call.review_deadline = review_deadline
    db.session.flush()
    audit.record(actor, "call.updated", call, changed=changed)


def _same_minute(first: datetime | None, second: datetime | None) -> bool:
    if first is None or second is None:
        return first is second
    return first.replace(second=0, microsecond=0) == second.replace(second=0, microsecond=0)


def add_funder(actor: User, call: Call, email: str) -> CallFunder:
    person = find_user_by_email(email)
    if person is None:
        raise ValidationFailed([("email", _l("No account uses this address. Ask the person to sign up first."))])
    if not person.has_role("funder"):
        raise ValidationFailed([("email", _l("This person is not a funder. Give them the funder role on "
                                             "“People and roles” first."))])
    if call.is_managed_by(person):
        raise ValidationFailed([("email", _l("This person already manages the call."))])
    funder = CallFunder(call_id=call.id, user_id=person.id)
    call.funders.append(funder)
    db.session.flush()
    audit.record(actor, "call.funder_added", call, user_id=person.id)
    return funder


# -- queries --------------------------------------------------------------------------------------
def public_calls_query(now: datetime | None = None) -> Select:
    """Published calls and those closed recently: the ones still taking proposals first, soonest deadline first."""
    now = now or utcnow()
    finished = or_(Call.state == "closed", Call.closes_at <= now)
    return (select(Call)
            .where(Call.state.in_(("published", "closed")), Call.closes_at > now - RECENTLY_CLOSED)
            .order_by(case((finished, 1), else_=0), Call.closes_at, Call.id))


def managed_calls_query(user: User) -> Select:
    """The calls a person manages, newest first; a coordinator manages them all."""
    query = select(Call).order_by(Call.created_at.desc(), Call.id.desc())
    if policy.is_coordinator(user):
        return query
    co_funded = exists().where(CallFunder.call_id == Call.id, CallFunder.user_id == user.id)
    return query.where(or_(Call.owner_id == user.id, co_funded))


def is_finished(call: Call, now: datetime | None = None) -> bool:
    """No more proposals: closed by hand, or past the closing time."""
    return call.state == "closed" or (call.state == "published" and call.closes_at <= (now or utcnow()))
