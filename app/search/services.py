"""Search: one interface over proposals, projects, teams and people, whatever the database underneath.

search(user, query, kind, filters, page) answers with a page of results the person may open; counts() says how
many there are of each kind, in one query, for the tabs. The backend (PostgreSQL full-text search or the SQLite
match) is chosen by the database's dialect; what the person may see comes from app/search/scope.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, String, cast, func, select
from sqlalchemy.orm import lazyload, selectinload

from app import db, policy
from app.accounts.models import User
from app.calls.models import Call
from app.ledger.models import GRANT_STATES, Grant
from app.pagination import Page, paginate
from app.proposals.models import PROPOSAL_STATES, Proposal
from app.search import text
from app.search.backends import Fields, backend_for
from app.search.scope import Reach, reach_of
from app.teams.models import Team

KINDS = ("proposals", "projects", "teams", "people")
# The states each kind can be filtered by; teams and people have none.
STATES = {"proposals": PROPOSAL_STATES, "projects": GRANT_STATES}
# The filters that apply to each kind: a team is in a call (or a theme) when one of its proposals the
# person may find is; a person is found by name and country only.
FILTERS = {
    "proposals": ("call", "state", "theme", "country"),
    "projects": ("call", "state", "theme", "country"),
    "teams": ("call", "theme", "country"),
    "people": ("country",),
}
FIELDS = {
    "proposals": Fields(Proposal.title, (Proposal.summary,)),
    "projects": Fields(Proposal.title, (Proposal.summary,)),
    "teams": Fields(Team.name, (Team.description,)),
    "people": Fields(User.display_name),
}


@dataclass(frozen=True)
class Filters:
    call_id: int | None = None
    state: str | None = None
    theme: str | None = None
    country: str | None = None

    def for_kind(self, kind: str) -> Filters:
        """Only the filters that mean something for this kind (a proposal's state is not a project's)."""
        applicable = FILTERS[kind]
        return Filters(
            call_id=self.call_id if "call" in applicable else None,
            state=self.state if "state" in applicable and self.state in STATES.get(kind, ()) else None,
            theme=self.theme if "theme" in applicable else None,
            country=self.country if "country" in applicable else None,
        )


@dataclass
class Hit:
    """One result: the record, and for a proposal read only as a reviewer, the review assignment to open."""

    kind: str
    record: object
    review_assignment_id: int | None = None


def kinds_for(user) -> tuple[str, ...]:
    return KINDS if policy.can_view_people(user) else tuple(kind for kind in KINDS if kind != "people")


def _backend():
    return backend_for(db.session.get_bind().dialect)


def _has_theme(themes_column, theme: str) -> ColumnElement:
    """The JSON list holds the theme: its text contains the quoted code (codes are plain words)."""
    return cast(themes_column, String).like(f'%"{theme}"%')


def _statement(kind: str, reach: Reach, words: list[str], filters: Filters) -> Select:
    """The search as one SELECT of the kind's records, visible ones only, best match first."""
    backend, fields, filters = _backend(), FIELDS[kind], filters.for_kind(kind)
    if kind == "proposals":
        query = select(Proposal).join(Team, Team.id == Proposal.team_id).where(reach.proposals())
        record_id, call_column, state_column, themes = Proposal.id, Proposal.call_id, Proposal.state, Proposal.themes
    elif kind == "projects":
        query = (select(Grant).join(Proposal, Proposal.id == Grant.proposal_id).join(Team, Team.id == Grant.team_id)
                 .where(reach.projects()))
        record_id, call_column, state_column, themes = Grant.id, Grant.call_id, Grant.state, Proposal.themes
    elif kind == "teams":
        query = select(Team).where(reach.teams())
        record_id, call_column, state_column, themes = Team.id, None, None, None
        if filters.call_id is not None or filters.theme:
            applied = select(Proposal.team_id).where(reach.proposals())
            if filters.call_id is not None:
                applied = applied.where(Proposal.call_id == filters.call_id)
            if filters.theme:
                applied = applied.where(_has_theme(Proposal.themes, filters.theme))
            query = query.where(Team.id.in_(applied))
    else:
        query = select(User).where(reach.people())
        record_id, call_column, state_column, themes = User.id, None, None, None
    if call_column is not None and filters.call_id is not None:
        query = query.where(call_column == filters.call_id)
    if state_column is not None and filters.state:
        query = query.where(state_column == filters.state)
    if themes is not None and filters.theme:
        query = query.where(_has_theme(themes, filters.theme))
    if filters.country:
        query = query.where((User.country if kind == "people" else Team.country) == filters.country)
    query = query.where(backend.match(fields, words))
    return query.order_by(backend.rank(fields, words).desc(), record_id.desc())


def _with_what_results_show(kind: str, query: Select) -> Select:
    """Load what the result list shows, a query per relation rather than per row."""
    if kind == "proposals":
        return query.options(selectinload(Proposal.team),
                             selectinload(Proposal.call).options(lazyload(Call.criteria), lazyload(Call.funders)),
                             lazyload(Proposal.budget_lines), lazyload(Proposal.milestones))
    if kind == "projects":
        return query.options(selectinload(Grant.team),
                             selectinload(Grant.call).options(lazyload(Call.criteria), lazyload(Call.funders)),
                             selectinload(Grant.proposal).options(lazyload(Proposal.budget_lines),
                                                                  lazyload(Proposal.milestones)))
    if kind == "people":
        return query.options(lazyload(User.consent_requests))
    return query


def search(user, query: str, kind: str, filters: Filters, page: int, per_page: int,
           reach: Reach | None = None) -> Page:
    """A page of the records of `kind` whose words hold every word of the query and the person may open."""
    if kind not in kinds_for(user) or not policy.can_search(user):
        raise PermissionError(kind)
    words = text.words(query)
    if not text.is_searchable(query):
        return Page(items=[], page=1, per_page=per_page, total=0)
    reach = reach if reach is not None else reach_of(user)
    found = paginate(_with_what_results_show(kind, _statement(kind, reach, words, filters)), page, per_page)
    found.items = [Hit(kind, record, _review_assignment(kind, record, reach)) for record in found.items]
    return found


def _review_assignment(kind: str, record, reach: Reach) -> int | None:
    if kind != "proposals" or reach.opens_proposal_page(record):
        return None
    return reach.review_assignment_ids.get(record.id)


def counts(user, query: str, filters: Filters, kind: str | None = None,
           reach: Reach | None = None) -> dict[str, int]:
    """How many results each kind the person may search has, in one query: each filter where it applies, the
    state only for `kind` (the kind shown; the links to the other kinds leave the state out)."""
    if not text.is_searchable(query) or not policy.can_search(user):
        return {each: 0 for each in kinds_for(user)}
    reach = reach if reach is not None else reach_of(user)
    words = text.words(query)
    kinds = kinds_for(user)
    totals = select(*(
        select(func.count()).select_from(
            _statement(each, reach, words, filters if each == kind else without_state(filters))
            .order_by(None).subquery())
        .scalar_subquery().label(each) for each in kinds))
    row = db.session.execute(totals).one()
    return {each: int(getattr(row, each) or 0) for each in kinds}


def call_choices(reach: Reach) -> list[Call]:
    """The calls a person may filter by: those whose proposals they may find, and those they manage."""
    return list(db.session.scalars(select(Call).where(reach.calls()).options(lazyload(Call.criteria),
                                                                              lazyload(Call.funders))
                                   .order_by(Call.title, Call.id)))


def countries(kind: str) -> list[str]:
    """The countries of the teams (or, for people, of the people) there are: the country filter's choices."""
    column = User.country if kind == "people" else Team.country
    return list(db.session.scalars(select(column).distinct()))


def without_state(filters: Filters) -> Filters:
    return replace(filters, state=None)


# The PostgreSQL GIN expression indexes that let the search skip reading every row (projects are searched by
# their proposal's words, so the proposals' index serves them too). For the migration that adds them.
POSTGRES_INDEXES = {
    "ix_proposals_search": ("proposals", FIELDS["proposals"]),
    "ix_teams_search": ("teams", FIELDS["teams"]),
    "ix_users_search": ("users", FIELDS["people"]),
}


def postgres_index_sql() -> list[str]:
    from app.search.backends import PostgresBackend

    return [PostgresBackend().index_sql(table, fields, name) for name, (table, fields) in POSTGRES_INDEXES.items()]
