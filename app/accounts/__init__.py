"""Accounts: sign-up, confirmation, sign-in, passwords, profile, guardian consent."""

from flask import Flask


def register_accounts(app: Flask) -> None:
    from app.accounts import loader  # noqa: F401  (registers the user loader)
    from app.accounts.views import bp

    app.register_blueprint(bp)
