"""Consent per purpose: taking part, being mentored, appearing in the showcase, photos; given and withdrawn by
a guardian and by the young person, each record keeping its wording, method and time."""

from flask import Flask


def register_consents(app: Flask) -> None:
    from app.consents import services  # noqa: F401 - its listeners keep the consent reads fresh
    from app.consents.views import bp
    from app.consents.wording import PURPOSE_LABELS, render

    app.register_blueprint(bp)
    # Globals, not a context processor: imported macros and included templates see globals only.
    app.jinja_env.globals.update(consent_wording=render, CONSENT_PURPOSE_LABELS=PURPOSE_LABELS)
