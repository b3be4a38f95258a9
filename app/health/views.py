"""`/healthz`: the process answers. `/readyz`: it can also reach what it needs (the database, and Redis when
configured), so a load balancer sends traffic only to processes that can serve it."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.db import get_database
from app.extensions import csrf, limiter

bp = Blueprint("health", __name__)
# Seconds a probe may wait on a dependency: a hung database must not hang the probe.
PROBE_TIMEOUT = 2


@bp.route("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    return _plain({"status": "ok"}, 200)


@bp.route("/readyz")
@limiter.exempt
@csrf.exempt
def readyz():
    checks = {"database": _database(), "redis": _redis()}
    ready = all(result in ("ok", "not configured") for result in checks.values())
    return _plain({"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503)


def _plain(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> str:
    try:
        with get_database(current_app).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", with its reason
        return f"error: {type(error).__name__}"
    return "ok"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    from redis import Redis

    try:
        connection = Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT)
        try:
            connection.ping()
        finally:
            connection.close()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", with its reason
        return f"error: {type(error).__name__}"
    return "ok"
