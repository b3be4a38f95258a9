"""Our Content-Security-Policy, widened for the pages whose form ends on one of Stripe's hosted pages: browsers
apply form-action to the redirect that answers a form too, so with 'self' alone the 303 to Stripe is blocked."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from app.security import CSP

CHECKOUT_ORIGIN = "https://checkout.stripe.com"
CONNECT_ORIGIN = "https://connect.stripe.com"


def allowing_form_to(stripe_origin: str) -> str:
    """The policy with Stripe's hosted page allowed as a form target; a stand-in Stripe (the tests' fake) set
    with STRIPE_API_BASE serves its hosted pages itself."""
    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        parts = urlsplit(base)
        stripe_origin = f"{parts.scheme}://{parts.netloc}"
    return CSP.replace("form-action 'self'", f"form-action 'self' {stripe_origin}")
