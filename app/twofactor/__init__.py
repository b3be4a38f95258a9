"""Two-factor sign-in (TOTP codes and recovery codes) and the list of signed-in sessions."""

from flask import Flask


def register_twofactor(app: Flask) -> None:
    from flask_login import user_logged_in

    from app.twofactor import sessions, views

    app.register_blueprint(views.bp)
    app.before_request(views.require_two_factor_setup)
    user_logged_in.connect(sessions.attach_on_login, app)
    app.jinja_env.globals["account_security"] = views.account_security
