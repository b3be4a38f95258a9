"""The money of a call: grants and tranches, contributions, and the append-only ledger balances come from."""

from flask import Flask


def register_ledger(app: Flask) -> None:
    from app.ledger.views import bp

    app.register_blueprint(bp)
