"""A test client that gives every request its own application context, as a real server does.

The `_transaction` fixture keeps an application context pushed for the whole test, and Flask reuses a
pushed context for requests, so requests made with the plain test client share one database session with
each other and with the test: a view that changes data but forgets to commit still looks fine, and the
test reads the request's objects from memory rather than from the database. Running each request in an
empty contextvars.Context makes Flask push a fresh application context (fresh `g`, its own session), and
the session is removed when the request ends, rolling back whatever the view did not commit.
"""

from __future__ import annotations

import contextvars

from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def isolated_client(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)
