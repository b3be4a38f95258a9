"""The impact report pages: overall or one call; on screen, as CSV, and as a page made for printing."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import Headers

from app import db, policy
from app.calls.models import Call
from app.db import utcnow
from app.impact import display, export, queries
from app.impact.forms import filter_form

bp = Blueprint("impact", __name__, url_prefix="/impact")


@bp.context_processor
def _helpers():
    return {"theme_label": display.theme_label, "country_label": display.country_label,
            "by_country_name": display.by_country_name, "percent_text": display.percent_text}


def _load_call(call_id: int) -> Call:
    call = db.session.scalar(select(Call).where(Call.id == call_id).options(selectinload(Call.funders)))
    if call is None:
        abort(404)
    return call


def _everything_label() -> str:
    return _("All calls") if policy.is_coordinator(current_user) else _("All the calls you manage")


def _overall():
    policy.require(policy.can_view_impact(current_user))
    calls = queries.calls_in_scope(current_user)
    return calls, queries.impact_report(calls)


def _one_call(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_view_impact(current_user, call))
    return call, queries.impact_report([queries.call_info(call)], list_empty_calls=True)


def _csv_response(rows, name: str) -> Response:
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=name)
    headers.set("Cache-Control", "no-store")
    return Response(export.to_csv(rows), headers=headers, content_type="text/csv; charset=utf-8")


@bp.route("/")
@login_required
def overview():
    calls, report = _overall()
    if "call" in request.args:
        form = filter_form(calls, _everything_label(), formdata=request.args)
        if not form.validate():
            return render_template("impact/report.html", report=report, form=form, call=None,
                                   figures=report.overall), 400
        if form.call.data:
            return redirect(url_for("impact.call_report", call_id=int(form.call.data)))
    form = filter_form(calls, _everything_label())
    return render_template("impact/report.html", report=report, form=form, call=None, figures=report.overall)


@bp.route("/calls/<int:call_id>")
@login_required
def call_report(call_id: int):
    call, report = _one_call(call_id)
    form = filter_form(queries.calls_in_scope(current_user), _everything_label(), selected=call.id)
    return render_template("impact/report.html", report=report, form=form, call=call, figures=report.calls[0][1])


@bp.route("/report.csv")
@login_required
def overview_csv():
    _calls, report = _overall()
    return _csv_response(export.report_rows(report, overall=True), export.filename())


@bp.route("/calls/<int:call_id>.csv")
@login_required
def call_csv(call_id: int):
    call, report = _one_call(call_id)
    return _csv_response(export.report_rows(report, overall=False), export.filename(call))


@bp.route("/print")
@login_required
def overview_print():
    _calls, report = _overall()
    return render_template("impact/print.html", report=report, call=None, figures=report.overall,
                           scope=_everything_label(), generated_at=utcnow())


@bp.route("/calls/<int:call_id>/print")
@login_required
def call_print(call_id: int):
    call, report = _one_call(call_id)
    return render_template("impact/print.html", report=report, call=call, figures=report.calls[0][1],
                           scope=None, generated_at=utcnow())
