"""The search page: /search?q=...&kind=...&call=...&state=...&theme=...&country=..."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import policy
from app.calls.forms import THEME_LABELS
from app.i18n import country_name
from app.projects.labels import GRANT_STATE_LABELS
from app.proposals.workflow import STATE_LABELS as PROPOSAL_STATE_LABELS
from app.search import services, text
from app.search.forms import SearchForm
from app.search.scope import reach_of

bp = Blueprint("search", __name__)

KIND_LABELS = {
    "proposals": _l("Proposals"),
    "projects": _l("Projects"),
    "teams": _l("Teams"),
    "people": _l("People"),
}


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/search")
@login_required
def index():
    policy.require(policy.can_search(current_user))
    kinds = services.kinds_for(current_user)
    kind = request.args.get("kind", "proposals")
    if kind == "people":
        policy.require(policy.can_view_people(current_user))
    if kind not in kinds:
        kind = "proposals"
    reach = reach_of(current_user)
    form = SearchForm(request.args)
    form.prepare(kind, services.call_choices(reach), services.countries(kind))
    asked = any(request.args.get(name) is not None for name in ("q", "call", "state", "theme", "country"))
    if asked:
        form.validate()
    # A filter the list does not offer comes from an edited link: that is a bad request. Words too short are
    # explained beside the field, as any search that finds nothing would be.
    bad_filters = any(getattr(form, name).errors for name in ("call", "state", "theme", "country"))
    query = (form.q.data or "").strip()
    page = counts = None
    if asked and not form.errors:
        filters = form.filters()
        page = services.search(current_user, query, kind, filters, _page_number(), current_app.config["PAGE_SIZE"],
                               reach=reach)
        counts = services.counts(current_user, query, filters, kind, reach=reach)
    # Links to the other kinds and to other pages keep the words and the filters that apply to them.
    kept = {name: getattr(form, name).data or None for name in ("call", "theme", "country")} if page else {}
    return render_template(
        "search/index.html", form=form, kind=kind, kinds=kinds, query=query, page=page, counts=counts, kept=kept,
        state=form.state.data or None if page else None, applies=services.FILTERS[kind],
        words=text.words(query), KIND_LABELS=KIND_LABELS, THEME_LABELS=THEME_LABELS, country_name=country_name,
        STATE_LABELS={"proposals": PROPOSAL_STATE_LABELS, "projects": GRANT_STATE_LABELS},
        segments=text.segments, excerpt=text.excerpt,
    ), (400 if bad_filters else 200)
