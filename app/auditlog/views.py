"""The audit log's pages: the filtered list and its CSV export. Both only read: the log has no route that writes."""

from __future__ import annotations

from contextlib import contextmanager

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import force_locale, get_locale
from flask_login import current_user, login_required
from werkzeug.datastructures import Headers

from app import policy
from app.auditlog import export, queries
from app.auditlog.forms import AuditFilterForm
from app.auditlog.labels import ACTION_LABELS, SUBJECT_LABELS, action_label, detail_pairs, subject_label
from app.db import utcnow
from app.i18n import is_timezone

bp = Blueprint("auditlog", __name__, url_prefix="/audit")


@bp.context_processor
def _helpers():
    return {"action_label": action_label, "subject_label": subject_label, "detail_pairs": detail_pairs}


def _filters() -> tuple[AuditFilterForm, queries.Filters]:
    form = AuditFilterForm(request.args, codes=ACTION_LABELS, tables=SUBJECT_LABELS)
    zone = current_user.timezone if is_timezone(current_user.timezone) else "UTC"
    return form, form.filters(zone)


def _kept_arguments() -> dict[str, str]:
    """The filters as they are in the address, for the pager and the export link."""
    return {key: value for key, value in request.args.items() if key != "page" and value}


@bp.route("/")
@login_required
def index():
    policy.require(policy.can_view_audit_log(current_user))
    form, filters = _filters()
    page = queries.page_of(filters, max(request.args.get("page", 1, type=int) or 1, 1),
                           current_app.config["PAGE_SIZE"])
    return render_template("auditlog/index.html", form=form, filters=filters, page=page, kept=_kept_arguments())


@bp.route("/export.csv")
@login_required
def export_csv():
    policy.require(policy.can_view_audit_log(current_user))
    _form, filters = _filters()
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"audit-log-{utcnow():%Y%m%d-%H%M}.csv")
    headers.set("Cache-Control", "no-store")
    app, locale = current_app._get_current_object(), str(get_locale())

    @contextmanager
    def within():
        with app.app_context(), force_locale(locale):
            yield

    return Response(export.lines(filters, within), headers=headers, content_type="text/csv; charset=utf-8")
