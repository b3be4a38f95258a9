"""Calls: see views.py for the pages and services.py for the verbs."""

from flask import Flask


def register_calls(app: Flask) -> None:
    from app.calls import display
    from app.calls.forms import THEME_LABELS
    from app.calls.views import bp
    from app.calls.workflow import ACTION_LABELS as CALL_ACTION_LABELS
    from app.calls.workflow import STATE_LABELS as CALL_STATE_LABELS
    from app.money import format_money

    app.register_blueprint(bp)
    app.add_template_filter(format_money, "money")
    app.jinja_env.globals.update(
        THEME_LABELS=THEME_LABELS, CALL_STATE_LABELS=CALL_STATE_LABELS, CALL_ACTION_LABELS=CALL_ACTION_LABELS,
        call_deadline=display.deadline_text, call_opening=display.opening_text, moment_in=display.moment_in,
        currency_name=display.currency_name,
    )
