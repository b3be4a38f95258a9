"""The transparency report: a public page and its CSV. Counts only (see app/safety/transparency.py)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from werkzeug.datastructures import Headers

from app import policy
from app.safety import transparency
from app.safety.labels import CATEGORY_LABELS, KIND_SHORT_LABELS, PERIOD_LABELS
from app.safety.models import CATEGORIES, MODERATION_KINDS

bp = Blueprint("transparency", __name__, url_prefix="/reports")


def _chosen() -> tuple[transparency.Period, list[transparency.Period]]:
    last = transparency.parse_period(request.args.get("period"), request.args.get("of"), date.today())
    return last, transparency.series(last)


@bp.route("/transparency")
def index():
    policy.require(policy.can_view_transparency(current_user))
    last, periods = _chosen()
    by_period = transparency.figures(periods)
    return render_template(
        "safety/transparency.html", last=last, periods=periods, by_period=by_period, numbers=by_period[last],
        PERIOD_LABELS=PERIOD_LABELS, CATEGORY_LABELS=CATEGORY_LABELS, KIND_SHORT_LABELS=KIND_SHORT_LABELS,
        CATEGORIES=CATEGORIES, MODERATION_KINDS=MODERATION_KINDS, PERIODS=transparency.PERIODS,
        current_period=transparency.period_containing(last.kind, date.today()))


@bp.route("/transparency.csv")
def export():
    policy.require(policy.can_view_transparency(current_user))
    last, periods = _chosen()
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=transparency.export_filename(last))
    return Response(transparency.export_csv(periods, transparency.figures(periods)), headers=headers,
                    content_type="text/csv; charset=utf-8")
