"""CSRF, sign-in sessions, rate limits, security headers and safe redirects."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from flask import Flask, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.extensions import csrf, limiter, login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def register_security(app: Flask) -> None:
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.signin"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_input"] = csrf_input


def csrf_input() -> Markup:
    """The CSRF token as a hidden input without an id, so a page can hold many forms."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def safe_next(target: str | None, default_endpoint: str = "core.dashboard") -> str:
    """Return target only when it stays on this site; otherwise the default page."""
    if target:
        target = target.strip().replace("\\", "/")
        if target.startswith("/") and not target.startswith("//"):
            parts = urlsplit(urljoin(request.host_url, target))
            host = urlsplit(request.host_url)
            if parts.scheme == host.scheme and parts.netloc == host.netloc:
                return target
    return url_for(default_endpoint)
