"""Background work: inline after the commit by default, an RQ queue when REDIS_URL is set.

This is the only module that knows which. Jobs are plain functions that take ids, so both runners
can call them; each runs inside an application context with its own session and commits itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import db

log = logging.getLogger(__name__)

PENDING = "passerelle_pending_jobs"
READY = "passerelle_ready_jobs"


def enqueue(fn: Callable, *args) -> None:
    """Queue fn(*args) to run once the current transaction commits; dropped if it rolls back."""
    db.session.info.setdefault(PENDING, []).append((fn, args, 0))


def enqueue_in(delay_seconds: int, fn: Callable, *args) -> None:
    """Like enqueue, but a worker runs it after a delay. Inline, nothing waits: the periodic
    sweep that owns the work (for example `flask outbox deliver`) picks it up when it is due."""
    db.session.info.setdefault(PENDING, []).append((fn, args, delay_seconds))


@event.listens_for(Session, "after_commit")
def _promote(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if pending:
        session.info.setdefault(READY, []).extend(pending)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous_transaction) -> None:
    session.info.pop(PENDING, None)


def dispatch_ready() -> None:
    """Hand committed jobs to the runner."""
    ready = db.session.info.pop(READY, [])
    for fn, args, delay in ready:
        _dispatch(fn, args, delay)


def _dispatch(fn: Callable, args: tuple, delay: int) -> None:
    queue = current_app.extensions.get("rq_queue")
    if queue is not None:
        dotted = f"{fn.__module__}:{fn.__qualname__}"
        if delay:
            queue.enqueue_in(timedelta(seconds=delay), run_job, dotted, *args)
        else:
            queue.enqueue(run_job, dotted, *args)
        return
    if delay:
        return
    app = current_app._get_current_object()
    try:
        # A fresh app context gives the job its own session, as a worker would.
        with app.app_context():
            fn(*args)
    except Exception:  # the job records its own failure; the request that queued it must not fail
        log.exception("inline job %s failed", fn.__qualname__)


def run_job(dotted: str, *args) -> None:
    """Entry point for RQ workers: import the function and run it inside the worker's app."""
    import importlib

    module_name, _, qualname = dotted.partition(":")
    target = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    app = _worker_app()
    with app.app_context():
        target(*args)


_worker_app_instance: Flask | None = None


def _worker_app() -> Flask:
    global _worker_app_instance
    if _worker_app_instance is None:
        try:
            _worker_app_instance = current_app._get_current_object()
        except RuntimeError:
            from app import create_app

            _worker_app_instance = create_app()
    return _worker_app_instance


def set_worker_app(app: Flask) -> None:
    global _worker_app_instance
    _worker_app_instance = app


def register_jobs(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    if not url:
        return
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(url)
    app.extensions["rq_queue"] = Queue("passerelle", connection=connection)
