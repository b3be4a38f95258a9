"""Pages that belong to no single capability: home, dashboard, language, code of conduct."""

from flask import Flask


def register_core(app: Flask) -> None:
    from app import policy
    from app.core.labels import OUTBOX_STATE_LABELS, ROLE_LABELS
    from app.core.views import bp
    from app.i18n import country_name, language_name

    app.register_blueprint(bp)
    app.jinja_env.globals.update(policy=policy, ROLE_LABELS=ROLE_LABELS, OUTBOX_STATE_LABELS=OUTBOX_STATE_LABELS,
                                 country_name=country_name, language_name=language_name)
