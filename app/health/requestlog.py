"""One line per request: request id, method, path, status and duration, for the logs of every process.

The id comes from the proxy's X-Request-ID when it looks like one (so a request can be followed from nginx to
the app), otherwise it is made here; it is sent back in the response's X-Request-ID header."""

from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, g, request

log = logging.getLogger("passerelle.requests")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def register_request_log(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_log)


def _start() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _log(response):
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    request_id = g.get("request_id", "-")
    response.headers["X-Request-ID"] = request_id
    log.info("request_id=%s method=%s path=%s status=%d duration_ms=%.1f", request_id, request.method,
             request.path, response.status_code, duration_ms)
    return response
