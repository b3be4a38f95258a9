"""The public gallery and project pages (no sign-in), and the team lead's publication form."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import db, policy
from app.accounts.models import User
from app.accounts.services import link
from app.caching import public_page
from app.calls.forms import THEME_LABELS
from app.calls.models import THEMES
from app.i18n import options
from app.ledger.models import Grant
from app.showcase import queries, services
from app.showcase.forms import GalleryFilters, PublishForm
from app.teams.models import Membership, Team
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("showcase", __name__, url_prefix="/showcase")

PER_PAGE = 12
DESCRIPTION_LENGTH = 160  # what search engines and link previews show of a description


def host_of(url: str) -> str:
    """The site a link leads to, shown beside it so a reader knows where they are going."""
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def excerpt(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """The text on one line, cut at a word before `length` characters, for cards and <meta> descriptions."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


# -- the public side ------------------------------------------------------------------------------
def _filters() -> tuple[GalleryFilters, str | None, str | None]:
    countries = queries.countries_shown()
    form = GalleryFilters(request.args)
    form.theme.choices = options([("", _l("All themes")), *((code, THEME_LABELS[code]) for code in THEMES)])
    form.country.choices = options([("", _l("All countries")), *countries])
    theme = form.theme.data if form.theme.data in THEMES else None
    country = form.country.data if form.country.data in {code for code, _name in countries} else None
    form.theme.data, form.country.data = theme or "", country or ""
    return form, theme, country


@bp.route("/")
@public_page
def index():
    form, theme, country = _filters()
    page = queries.gallery(theme=theme, country=country, page=request.args.get("page", 1, type=int) or 1,
                           per_page=PER_PAGE)
    return render_template("showcase/index.html", page=page, form=form, theme=theme, country=country,
                           canonical=link("showcase.index"))


@bp.route("/<int:grant_id>")
@public_page
def show(grant_id: int):
    project = queries.public_project(grant_id)
    if project is None:
        abort(404)  # never published, withdrawn, or its grant cancelled: to the public it does not exist
    grant = None
    if current_user.is_authenticated:
        grant = db.session.get(Grant, grant_id)
    return render_template("showcase/show.html", project=project, grant=grant,
                           canonical=link("showcase.show", grant_id=grant_id),
                           description=excerpt(project.summary))


# -- the team's side --------------------------------------------------------------------------------
def _load_grant(grant_id: int) -> Grant:
    grant = db.session.scalar(
        select(Grant).where(Grant.id == grant_id)
        .options(joinedload(Grant.proposal), joinedload(Grant.team).selectinload(Team.memberships)
                 .joinedload(Membership.user).selectinload(User.consent_requests)))
    if grant is None:
        abort(404)
    return grant


def _form_page(grant: Grant, form: PublishForm, publication, general: list | None = None, status: int = 200):
    form.number_rows()
    project = queries.preview(grant, summary=form.summary.data or "",
                              links=[value for value in form.link_values() if value["label"] and value["url"]
                                     and services.url_problem(value["url"]) is None])
    return render_template("showcase/publish.html", grant=grant, form=form, publication=publication,
                           project=project, general=general or [], max_links=services.MAX_LINKS), status


def _attach(form: PublishForm, error: ValidationFailed) -> list:
    """Put each problem beside its field, rows included ("links-1-url"); return those of no field."""
    fields = {form.summary.id: form.summary, form.links.id: form.links}
    for entry in form.links.entries:
        fields.update({sub.id: sub for sub in entry.form})
    general = []
    for name, message in error.errors:
        target = fields.get(name or "")
        if target is None:
            general.append(message)
        elif target is form.links:
            show_on_form(form, ValidationFailed([("links", message)]))
        else:
            target.errors = [*list(target.errors or []), message]
    return general


@bp.route("/projects/<int:grant_id>/publish", methods=["GET", "POST"])
@login_required
def publish(grant_id: int):
    grant = _load_grant(grant_id)
    policy.require(policy.can_publish_project(current_user, grant))
    publication = services.publication_of(grant)
    if request.method == "GET":
        form = PublishForm(data={
            "summary": publication.summary if publication else grant.proposal.summary,
            "links": list(publication.links) if publication else [],
        })
        while len(form.links.entries) < services.MAX_LINKS:
            form.links.append_entry()
        return _form_page(grant, form, publication)
    form = PublishForm()
    if not form.validate_on_submit():
        return _form_page(grant, form, publication, status=400)
    try:
        if form.preview.data:
            services.check_publication(grant, form.summary.data or "", form.link_values())
            return _form_page(grant, form, publication)
        policy.require(policy.can_publish_to_showcase(current_user, grant))
        if publication is not None and publication.published:
            services.update(current_user, publication, summary=form.summary.data or "", links=form.link_values())
            message = _("The showcase page is updated.")
        else:
            services.publish(current_user, grant, summary=form.summary.data or "", links=form.link_values())
            message = _("Your project is in the public showcase.")
    except ValidationFailed as error:  # raised before anything is written
        return _form_page(grant, form, publication, general=_attach(form, error), status=400)
    db.commit()
    flash(message, "success")
    return redirect(url_for("showcase.show", grant_id=grant.id))


@bp.route("/projects/<int:grant_id>/unpublish", methods=["POST"])
@login_required
def unpublish(grant_id: int):
    grant = _load_grant(grant_id)
    policy.require(policy.can_withdraw_from_showcase(current_user, grant))
    publication = services.publication_of(grant)
    if publication is not None and publication.published:
        by_team = policy.can_publish_project(current_user, grant)
        services.unpublish(current_user, publication, reason=None if by_team else "coordinator")
        db.commit()
        flash(_("The project is no longer in the public showcase."), "success")
    if policy.can_publish_project(current_user, grant):
        return redirect(url_for("showcase.publish", grant_id=grant.id))
    return redirect(url_for("showcase.index"))
