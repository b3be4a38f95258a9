"""Money through Stripe: contributions by Checkout, payees by Connect, payouts by transfers, and webhooks.

Stripe is optional: with no keys the portal records contributions and payouts by hand. Only gateway.py talks to
Stripe; everything else works with the plain values it returns.
"""

from flask import Flask


def register_payments(app: Flask) -> None:
    from app.extensions import csrf
    from app.payments import contribution_views, payout_views, webhooks

    app.register_blueprint(contribution_views.bp)
    app.register_blueprint(payout_views.bp)
    # Stripe signs its webhooks; it cannot send our CSRF token, and the signature is the stronger check.
    csrf.exempt(webhooks.bp)
    app.register_blueprint(webhooks.bp)
