"""HTTP caching of public pages: what anonymous visitors share may be kept a minute and revalidated by ETag."""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_login import current_user

PUBLIC_MAX_AGE = 60  # seconds a browser or a shared cache may keep a public page without asking again


def public_response(html: str):
    """Anonymous visitors share one cacheable page; a signed-in page carries a personal menu, so it is not cached.

    The ETag is a digest of the page without its CSRF token: the token's signature changes every second while
    the page does not, and any token of the visitor's session stays valid (WTF_CSRF_TIME_LIMIT is None).
    """
    response = current_app.make_response(html)
    if current_user.is_authenticated:
        return response
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    response.vary.add("Accept-Language")  # the page's language follows the browser's (Cookie: Flask adds it)
    body = response.get_data()
    token = g.get("csrf_token")
    if token:
        body = body.replace(token.encode(), b"")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)
