"""What the public sees, read in a fixed number of queries: one for a page of projects, one for their teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import joinedload, lazyload

from app import db
from app.accounts.models import User
from app.i18n import country_name
from app.ledger.models import Grant
from app.pagination import Page
from app.projects.models import ProjectMilestone, Publication
from app.proposals.models import Proposal
from app.safety.visibility import hidden_from_public, warning_of
from app.showcase.privacy import TeamNames, team_names
from app.showcase.services import PUBLIC_GRANT_STATES
from app.teams.models import Membership, Team


@dataclass
class ShowcaseProject:
    """Everything a public page may say about a project, and nothing more (no budget, payee, email or surname)."""

    grant_id: int
    title: str
    summary: str
    links: list[dict]
    themes: list[str]
    country: str
    team_id: int
    team_name: str
    lead_id: int
    reached: int
    milestones: int
    published_at: datetime | None = None
    updated_at: datetime | None = None
    names: TeamNames = field(default_factory=TeamNames)
    warning: str | None = None  # a coordinator's content warning: readers open the page's text on purpose


def _milestone_count(approved_only: bool):
    query = select(func.count(ProjectMilestone.id)).where(ProjectMilestone.grant_id == Grant.id)
    if approved_only:
        query = query.where(ProjectMilestone.state == "approved")
    return query.correlate(Grant).scalar_subquery()


_COLUMNS = (
    Publication.grant_id, Proposal.title, Publication.summary, Publication.links, Proposal.themes, Team.country,
    Team.id, Team.name, Team.lead_id, _milestone_count(True), _milestone_count(False), Publication.published_at,
    Publication.updated_at, warning_of("showcase_page", Publication.grant_id),
)


def _public(*columns):
    """Published projects of grants in delivery or delivered: never a cancelled grant nor a withdrawn one, nor a
    page hidden by moderation."""
    return (select(*columns).select_from(Publication)
            .join(Grant, Grant.id == Publication.grant_id)
            .join(Proposal, Proposal.id == Grant.proposal_id)
            .join(Team, Team.id == Grant.team_id)
            .where(Publication.published.is_(True), Grant.state.in_(PUBLIC_GRANT_STATES),
                   # A page a coordinator limited or removed is not public (app/safety/visibility.py).
                   ~hidden_from_public("showcase_page", Publication.grant_id)))


def _filtered(query, theme: str | None, country: str | None):
    if theme:
        # Themes are a JSON list of known codes: the quoted code appears in its text on SQLite and PostgreSQL.
        query = query.where(cast(Proposal.themes, Text).contains(f'"{theme}"', autoescape=True))
    if country:
        query = query.where(Team.country == country)
    return query


def _project(row) -> ShowcaseProject:
    (grant_id, title, summary, links, themes, country, team_id, team_name, lead_id, reached, milestones,
     published_at, updated_at, warning) = row
    return ShowcaseProject(grant_id=grant_id, title=title, summary=summary, links=list(links or []),
                           themes=list(themes or []), country=country, team_id=team_id, team_name=team_name,
                           lead_id=lead_id, reached=reached or 0, milestones=milestones or 0,
                           published_at=published_at, updated_at=updated_at, warning=warning)


def memberships_of(team_ids) -> dict[int, list[Membership]]:
    """Every member of these teams with their consent requests, in one query."""
    if not team_ids:
        return {}
    memberships = db.session.scalars(
        select(Membership).where(Membership.team_id.in_(team_ids))
        .options(joinedload(Membership.user).options(joinedload(User.consent_requests), lazyload(User.role_grants)))
        .order_by(Membership.team_id, Membership.joined_at, Membership.id)).unique()
    by_team: dict[int, list[Membership]] = {team_id: [] for team_id in team_ids}
    for membership in memberships:
        by_team[membership.team_id].append(membership)
    return by_team


def _with_names(projects: list[ShowcaseProject]) -> list[ShowcaseProject]:
    teams = memberships_of({project.team_id for project in projects})
    for project in projects:
        project.names = team_names(teams.get(project.team_id, []), project.lead_id)
    return projects


def gallery(*, theme: str | None, country: str | None, page: int, per_page: int) -> Page:
    """A page of published projects, the most recently published first."""
    ids = _filtered(_public(Publication.id), theme, country)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = min(max(1, page), max(1, ceil(total / per_page)))  # past the end (an old link): the last page
    rows = db.session.execute(
        _filtered(_public(*_COLUMNS), theme, country)
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(per_page).offset((page - 1) * per_page))
    return Page(items=_with_names([_project(row) for row in rows]), page=page, per_page=per_page, total=total)


def public_project(grant_id: int) -> ShowcaseProject | None:
    row = db.session.execute(_public(*_COLUMNS).where(Publication.grant_id == grant_id)).first()
    return _with_names([_project(row)])[0] if row is not None else None


def countries_shown() -> list[tuple[str, str]]:
    """(code, name in the reader's language) of the countries the gallery has projects from, by name."""
    codes = db.session.scalars(_public(Team.country).distinct())
    return sorted(((code, country_name(code)) for code in codes), key=lambda pair: pair[1].casefold())


def preview(grant, *, summary: str, links: list[dict]) -> ShowcaseProject:
    """What the public would see once the team publishes this text: the lead reads it before choosing."""
    reached, milestones = db.session.execute(
        select(_milestone_count(True), _milestone_count(False)).where(Grant.id == grant.id)).one()
    team = grant.team
    project = ShowcaseProject(grant_id=grant.id, title=grant.proposal.title, summary=summary, links=links,
                              themes=list(grant.proposal.themes or []), country=team.country, team_id=team.id,
                              team_name=team.name, lead_id=team.lead_id, reached=reached, milestones=milestones)
    project.names = team_names(team.memberships, team.lead_id)
    return project
