"""The impact report as CSV, in a tidy long format: one figure per row, so a spreadsheet can pivot it any way.

Columns: section, call id and call (blank and "All calls" for the overall rows), group (a theme or a country),
measure, currency (money only), value. Money is exact decimal text in its own currency; amounts of two currencies
never share a row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from flask_babel import gettext as _

from app.decisions.services import money_cell, safe_cell
from app.impact.display import by_country_name, country_label, theme_label
from app.impact.figures import Figures, Reach, Report


def _reach_rows(section: str, scope: list[object], group: str, reach: Reach) -> list[list[object]]:
    return [[section, *scope, group, _("Projects"), "", reach.projects],
            [section, *scope, group, _("People reached"), "", reach.people],
            [section, *scope, group, _("Pieces of content"), "", reach.pieces],
            [section, *scope, group, _("Events held"), "", reach.events]]


def figure_rows(scope: list[object], figures: Figures) -> list[list[object]]:
    """Every figure of one call (or of all of them) as rows; scope is [call id, call title]."""
    projects, money, milestones = _("Projects"), _("Money"), _("Milestones")
    rows: list[list[object]] = [
        [projects, *scope, "", _("Projects funded"), "", figures.funded],
        [projects, *scope, "", _("Projects completed"), "", figures.completed],
    ]
    for amounts in figures.money:
        rows.append([money, *scope, "", _("Money awarded"), amounts.currency,
                     money_cell(amounts.awarded, amounts.currency)])
        rows.append([money, *scope, "", _("Money paid"), amounts.currency,
                     money_cell(amounts.paid, amounts.currency)])
    ratio = figures.on_time_ratio
    rows += [
        [milestones, *scope, "", _("Approved milestones"), "", figures.approved_milestones],
        [milestones, *scope, "", _("Milestones on time"), "", figures.on_time],
        [milestones, *scope, "", _("Milestones on time (%)"), "", "" if ratio is None else f"{ratio * 100:.1f}"],
    ]
    rows += _reach_rows(_("Reach"), scope, "", figures.reach)
    for theme, reach in figures.by_theme:
        rows += _reach_rows(_("Reach by theme"), scope, theme_label(theme), reach)
    for country, reach in by_country_name(figures.by_country):
        rows += _reach_rows(_("Reach by country"), scope, country_label(country), reach)
    return rows


def report_rows(report: Report, *, overall: bool) -> list[list[object]]:
    """The header, each call's rows, then (for the overall report) the rows of all the calls together."""
    header = [_("Section"), _("Call id"), _("Call"), _("Theme or country"), _("Measure"), _("Currency"), _("Value")]
    rows: list[list[object]] = [header]
    for call, figures in report.calls:
        rows += figure_rows([call.id, call.title], figures)
    if overall:
        rows += figure_rows(["", _("All calls")], report.overall)
    return [[safe_cell(cell) for cell in row] for row in rows]


def to_csv(rows: list[list[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet apps read accents right."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def filename(call=None) -> str:
    """ASCII letters, digits and dashes only: safe in any header and on any file system."""
    if call is None:
        return "impact-all-calls.csv"
    words = re.sub(r"\W+", " ", call.title)
    ascii_title = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"impact-call-{call.id}-{slug or 'report'}.csv"
