"""The panels a person's dashboard shows: one per role they hold, each answering "what needs me now"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import db, policy
from app.calls.models import Call
from app.dashboards import coordinator, funder, mentor, youth
from app.dashboards.charts import Bar, Chart
from app.dashboards.forms import DashboardFilterForm
from app.dashboards.queries import AT_RISK_DAYS, NO_FILTERS, Filters, LocalDates, local_dates
from app.db import utcnow
from app.proposals.models import Proposal
from app.proposals.workflow import STATE_LABELS as PROPOSAL_STATE_LABELS
from app.teams.models import Team


@dataclass
class Dashboard:
    """What the page shows beyond the account panels: a panel per role held, and the charts they draw."""

    filters: Filters = NO_FILTERS
    filter_form: DashboardFilterForm | None = None
    youth: youth.YouthPanel | None = None
    mentor: mentor.MentorPanel | None = None
    funder: funder.FunderPanel | None = None
    coordinator: coordinator.CoordinatorPanel | None = None
    charts: dict[str, Chart] = field(default_factory=dict)
    at_risk_days: int = AT_RISK_DAYS  # named in the page's sentence that defines "at risk"

    @property
    def filtered(self) -> bool:
        return self.filters.active


def pipeline_chart(key: str, title: str, counts: dict[str, int]) -> Chart:
    return Chart(key=key, title=title, label_heading=_("State"), value_heading=_("Proposals"),
                 bars=tuple(Bar(str(PROPOSAL_STATE_LABELS[state]), number) for state, number in counts.items()))


def load_chart(panel: coordinator.CoordinatorPanel) -> Chart:
    return Chart(key="mentor-load", title=_("Mentors' load"), label_heading=_("Mentor"),
                 value_heading=_("Active mentorships"), limit_heading=_("Capacity"),
                 description=_("Filled bar: active mentorships; outline: the capacity the mentor offers."),
                 bars=tuple(Bar(row.name, row.active, row.capacity) for row in panel.mentors))


def _filter_form(user, args: MultiDict) -> DashboardFilterForm:
    """The filter form offering the calls the person may follow and the countries their teams come from."""
    if policy.can_see_programme_panel(user):
        calls = list(db.session.execute(select(Call.id, Call.title).order_by(Call.title, Call.id)))
    else:
        calls = funder.managed_calls(user)
    if policy.can_see_programme_panel(user):
        # The programme's teams, from the index on their country: asking which of them proposed something would
        # read every proposal on each visit.
        countries = list(db.session.scalars(select(Team.country).distinct()))
    else:
        # The calls' own ids, so the planner reads their proposals by index instead of guessing half of them.
        countries = list(db.session.scalars(
            select(Team.country).distinct().join(Proposal, Proposal.team_id == Team.id)
            .where(Proposal.call_id.in_([call_id for call_id, _title in calls]))))
    return DashboardFilterForm(formdata=args).offer(calls, countries)


def build(user, args: MultiDict | None = None, now: datetime | None = None) -> Dashboard:
    """Every panel the person's roles call for, filtered by the query string's call, theme and country."""
    now = now or utcnow()
    dashboard = Dashboard()
    dates: LocalDates | None = None

    def today() -> LocalDates:
        nonlocal dates
        dates = dates or local_dates(now)
        return dates

    if policy.can_filter_dashboard(user):
        dashboard.filter_form = _filter_form(user, args if args is not None else MultiDict())
        dashboard.filters = dashboard.filter_form.filters()
    if policy.can_see_team_panel(user):
        dashboard.youth = youth.panel(user, today(), now)
    if policy.can_see_mentor_panel(user):
        dashboard.mentor = mentor.panel(user)
    if policy.can_see_funder_panel(user):
        dashboard.funder = funder.panel(user, dashboard.filters)
        for call in dashboard.funder.calls:
            dashboard.charts[f"call-{call.id}"] = pipeline_chart(
                f"pipeline-call-{call.id}", _("Proposals in “%(call)s” by state", call=call.title), call.pipeline)
    if policy.can_see_programme_panel(user):
        dashboard.coordinator = coordinator.panel(dashboard.filters, today())
        dashboard.charts["pipeline"] = pipeline_chart("pipeline", _("Proposals by state"),
                                                      dashboard.coordinator.pipeline)
        dashboard.charts["load"] = load_chart(dashboard.coordinator)
    return dashboard
