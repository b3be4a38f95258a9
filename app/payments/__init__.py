"""Money through Stripe: contributions by Checkout, payees by Connect, payouts by transfers, and webhooks.

Stripe is optional: with no keys the portal records contributions and payouts by hand. Only gateway.py talks to
Stripe; everything else works with the plain values it returns.
"""
