"""What every part of the generator shares: the random source, the moment the data is built for, the writer,
and light records of what was written (ids and the few facts later parts need)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.scaledata.bulk import Ids, Writer

DOMAIN = "scale.passerelle.org"


@dataclass(slots=True)
class Person:
    id: int
    email: str
    name: str
    age: int
    country: str
    region: str | None
    locale: str
    timezone: str
    needs_consent: bool = False
    guardian_id: int | None = None


@dataclass(slots=True)
class TeamRecord:
    id: int
    lead: Person
    members: list[Person]
    country: str
    organisation: str | None
    locale: str
    timezone: str
    mentor_id: int | None = None

    @property
    def has_minor(self) -> bool:
        return any(member.age < 18 for member in self.members)

    @property
    def guardian_ids(self) -> list[int]:
        return [member.guardian_id for member in self.members if member.guardian_id is not None]


@dataclass(slots=True)
class CallRecord:
    id: int
    phase: str
    state: str
    currency: str
    timezone: str
    opens_at: datetime
    closes_at: datetime
    review_deadline: datetime | None
    min_reviews: int
    max_award: int
    owner_id: int
    funder_ids: list[int]
    criteria: list[tuple[int, bool]]  # (criterion id, allows "not applicable")
    panel: list[int] = field(default_factory=list)
    load: dict[int, int] = field(default_factory=dict)  # reviewer id -> assignments on this call
    awarded: int = 0
    expected: int = 0  # what the pool should be able to fund once the call is decided


@dataclass(slots=True)
class ProposalRecord:
    id: int
    call: CallRecord
    team: TeamRecord
    state: str
    title: str
    amount: int
    submitted_at: datetime | None
    quality: float
    reviewed: bool
    milestones: list[tuple[int, str, str, date, int]]  # (id, title, deliverable, due date, tranche)


@dataclass
class Scale:
    rng: random.Random
    now: datetime
    ids: Ids
    out: Writer
    password_hash: str
    coordinators: list[Person] = field(default_factory=list)
    funders: list[Person] = field(default_factory=list)
    mentors: list[Person] = field(default_factory=list)
    vetted: set[int] = field(default_factory=set)
    youth: list[Person] = field(default_factory=list)
    guardians: list[Person] = field(default_factory=list)
    teams: list[TeamRecord] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    proposals: list[ProposalRecord] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.date()

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment between two others (whole seconds)."""
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))
