"""Pages kept in Redis until the data under them changes (app/datacache.py).

Public pages: what anonymous visitors share is rendered once per language and address, and sent with an ETag and a
Cache-Control that let browsers and shared caches keep it a minute. Personal pages: a signed-in person's busiest
pages (dashboard, queues, rankings) are kept for that person alone, their form token put back at each visit."""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app import datacache, db

PUBLIC_MAX_AGE = 60  # seconds a browser or a shared cache may keep a public page without asking again
TOKEN_SLOT = "\x00csrf-token\x00"  # noqa: S105 - a placeholder: a kept page gets the visitor's own token here


def public_page(view):
    """For a view returning the HTML of a page anyone may see. A signed-in person's page carries their own menu
    and is neither kept nor marked public; a visitor with a message waiting (a flash) gets a page of their own."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated:
            return view(*args, **kwargs)
        if session.get("_flashes"):
            return _private(view(*args, **kwargs))
        page = datacache.remember("page", [str(get_locale()), request.full_path],
                                  lambda: _render(view, args, kwargs))
        return _response(page)

    return wrapper


def _render(view, args, kwargs) -> str:
    """The page as kept: its ETag, a line break, its HTML (no ETag for a page that is the visitor's alone)."""
    html = view(*args, **kwargs)
    if g.get("csrf_token"):  # a form of this visitor's session: the page is theirs alone
        datacache.dont_keep()
        return "\n" + html
    return hashlib.sha256(html.encode()).hexdigest()[:32] + "\n" + html


def _response(page: str):
    etag, html = page.split("\n", 1)
    if not etag:
        return _private(html)
    response = current_app.make_response(html)
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    # The language follows the browser's Accept-Language or the visitor's own choice (Cookie: Flask adds it).
    response.vary.add("Accept-Language")
    response.set_etag(etag)
    return response.make_conditional(request)


def _private(html: str):
    response = current_app.make_response(html)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def personal_page(view):
    """For a signed-in person's GET page that depends only on the data, the address, and who is asking (their id,
    language and time zone). Kept per person; computed afresh when it shows a message (a flash), when the view
    answers anything but a page, and when it changed data while it was shown (those are never kept).

    Rows loaded before the view ran (the person, by the sign-in check) are expired first, so every row the page
    uses is read while it is computed and its table is counted among those the page depends on."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not (current_user.is_authenticated and datacache.enabled()) or session.get("_flashes"):
            return view(*args, **kwargs)
        computed = {}

        def compute():
            db.session.expire_all()
            result = computed["result"] = view(*args, **kwargs)
            html = _plain_page(result)
            if html is None:
                datacache.dont_keep()
                return None
            token = g.get("csrf_token")
            return html.replace(token, TOKEN_SLOT) if token else html

        key = [current_user.get_id(), str(get_locale()), str(get_timezone()), request.full_path]
        html = datacache.remember("personal", key, compute)
        if "result" in computed:
            return computed["result"]
        return html.replace(TOKEN_SLOT, generate_csrf()) if TOKEN_SLOT in html else html

    return wrapper


def _plain_page(result) -> str | None:
    """The HTML of a view's answer when it is a plain page (200), None for a redirect, an error or a response."""
    if isinstance(result, tuple) and len(result) == 2 and result[1] == 200:
        result = result[0]
    return result if isinstance(result, str) else None
