"""Results kept in Redis until a table they were read from changes.

Every commit that wrote to a table raises that table's generation (a counter in one Redis hash), after the commit
so that no reader can store what it read before the commit under the new generation. A result computed through
`remember` keeps the names of the tables its statements read and their generations as they were just before it
was computed; it is served only while those generations are unchanged, and it expires after
RESULT_CACHE_SECONDS anyway, because some results also depend on the clock (a call closes at its deadline).

What is tracked is what goes through the application's sessions: the ORM's flushes, its bulk statements and any
Core statement given to `session.execute`; reads are every statement sent to the database while the result is
computed. Readers rely on each statement seeing the latest commit (PostgreSQL's READ COMMITTED, the default).

Without REDIS_URL, with RESULT_CACHE_SECONDS at 0, or when Redis does not answer, results are computed every time:
the cache only ever saves work, it is never needed for a right answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app
from redis import Redis, RedisError
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete, UpdateBase

from app.db import Base, existing_session

log = logging.getLogger("passerelle.cache")

WRITTEN = "datacache.written"  # session.info: tables written since the last commit
UNKNOWN = "*"  # marks a result that must not be kept
PAUSE_SECONDS = 5  # after Redis fails, how long results are computed without asking it
_paused_until = 0.0


# One round trip for a hit: the entry's tables and generations, compared with the current ones, then its value.
_LOOKUP = """
local meta = redis.call('GET', KEYS[1])
if not meta then return false end
local entry = cjson.decode(meta)
local current = redis.call('HMGET', KEYS[3], unpack(entry.tables))
for i = 1, #entry.tables do
  local kept = entry.generations[i]
  if kept == cjson.null then kept = false end
  if current[i] ~= kept then return false end
end
return redis.call('GET', KEYS[2])
"""


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_reading: ContextVar[set[str] | None] = ContextVar("datacache_reading", default=None)


def register_datacache(app: Flask, engine: Engine, session_factory) -> None:
    attach(app, _client(app))
    event.listen(session_factory, "after_flush", _note_flush)
    event.listen(session_factory, "do_orm_execute", _note_write)
    event.listen(session_factory, "after_commit", _raise_generations)
    # Reads are noted as the database receives them, where relationship loaders' statements are resolved too.
    event.listen(engine, "before_cursor_execute", _note_read)


def attach(app: Flask, client: Redis | None) -> None:
    """Keep results in this Redis (responses decoded to str), or nowhere with None."""
    global _paused_until
    _paused_until = 0.0
    app.extensions["datacache"] = client
    app.extensions["datacache.lookup"] = client.register_script(_LOOKUP) if client is not None else None


def enabled() -> bool:
    return _app_client() is not None


def _client(app: Flask) -> Redis | None:
    url = app.config.get("REDIS_URL")
    if not url or not app.config.get("RESULT_CACHE_SECONDS"):
        return None
    # A cache that answers slowly is worse than none: give up quickly and compute.
    return Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.25, decode_responses=True)


def _prefix() -> str:
    return current_app.config["CACHE_KEY_PREFIX"]


def _generations_key() -> str:
    return _prefix() + "generations"


# -- noting writes and reads ----------------------------------------------------------------------
def _written(session: Session) -> set[str]:
    return session.info.setdefault(WRITTEN, set())


def _with_cascades(deleted: set[str]) -> set[str]:
    """The tables rows were deleted from and those the database changes along with them: rows whose foreign key
    says ON DELETE CASCADE or SET NULL toward one of them (and so on down), which the ORM never sees change."""
    tables = Base.metadata.tables
    found, waiting = set(deleted), list(deleted)
    while waiting:
        parent = waiting.pop()
        for table in tables.values():
            if table.name not in found and any(
                    key.ondelete and key.column.table.name == parent for key in table.foreign_keys):
                found.add(table.name)
                waiting.append(table.name)
    return found


def _note_flush(session: Session, _context) -> None:
    written = _written(session)
    for instance in (*session.new, *session.dirty):
        written.update(table.name for table in inspect(instance).mapper.tables)
    deleted = [table.name for instance in session.deleted for table in inspect(instance).mapper.tables]
    written.update(_with_cascades(set(deleted)) if deleted else ())


def _note_write(state) -> None:
    statement = state.statement
    if isinstance(statement, Delete):
        _written(state.session).update(_with_cascades({statement.table.name}))
    elif isinstance(statement, UpdateBase):
        _written(state.session).add(statement.table.name)


def _note_read(_connection, _cursor, sql: str, _parameters, _context, _executemany) -> None:
    reading = _reading.get()
    if reading is not None:
        # Every table a statement reads is named in its SQL, as the ORM compiled it (eager joins included) or as
        # written by hand; a column that happens to share a table's name only costs an extra invalidation.
        tables = Base.metadata.tables
        reading.update(word for word in _WORD.findall(sql) if word in tables)


def _raise_generations(session: Session) -> None:
    written = session.info.pop(WRITTEN, None)
    if not written:
        return
    client = _app_client()
    if client is None:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for table in sorted(written):
                pipe.hincrby(_generations_key(), table, 1)
            pipe.execute()
    except RedisError as error:
        # Results read from these tables may now lag this change until they expire (RESULT_CACHE_SECONDS).
        _pause(f"raising the generations of {', '.join(sorted(written))}", error)


def _app_client() -> Redis | None:
    if time.monotonic() < _paused_until:
        return None
    try:
        return current_app.extensions.get("datacache")
    except RuntimeError:  # no application context: a bare script's session
        return None


def _pause(doing: str, error: RedisError) -> None:
    """Redis failed: compute everything for a few seconds rather than wait on it at every request (and log once)."""
    global _paused_until
    if time.monotonic() >= _paused_until:
        log.warning("result cache unavailable while %s (%s): pages are computed for the next %d s", doing, error,
                    PAUSE_SECONDS)
    _paused_until = time.monotonic() + PAUSE_SECONDS


def dont_keep() -> None:
    """The result being computed holds something of one visitor (a form token, a message): compute, never keep."""
    reading = _reading.get()
    if reading is not None:
        reading.add(UNKNOWN)


# -- remembering ----------------------------------------------------------------------------------
def remember(name: str, key: Any, compute: Callable[[], Any], seconds: int | None = None) -> Any:
    """compute(), or what it returned before if none of the tables it read has changed since.

    `key` holds everything besides the data that the result depends on (language, filters, page); the result is
    a string (a rendered page) or anything JSON can hold."""
    client = _app_client()
    if client is None or _has_changes(existing_session()):
        return compute()  # an uncommitted change must neither be kept nor hidden by what was kept
    entry = f"{_prefix()}result:{name}:{_digest(key)}"
    try:
        found = current_app.extensions["datacache.lookup"](keys=[entry + ":meta", entry + ":value",
                                                                 _generations_key()])
        if found is not None:
            return _decode(found)
        before = client.hgetall(_generations_key())
    except RedisError as error:
        _pause("looking up a result", error)
        return compute()
    value, tables = _tracked(compute)
    if tables and UNKNOWN not in tables and not _has_changes(existing_session()):
        tables = sorted(tables)
        meta = {"tables": tables, "generations": [before.get(table) for table in tables]}
        expires = seconds or current_app.config["RESULT_CACHE_SECONDS"]
        try:
            with client.pipeline(transaction=False) as pipe:
                pipe.set(entry + ":meta", json.dumps(meta), ex=expires)
                pipe.set(entry + ":value", _encode(value), ex=expires)
                pipe.execute()
        except RedisError as error:
            _pause("keeping a result", error)
    return value


def _encode(value: Any) -> str:
    # A page is kept as it is: JSON would escape every quote of its HTML, and unescape them at every visit.
    return "s" + value if isinstance(value, str) else "j" + json.dumps(value)


def _decode(kept: str) -> Any:
    return kept[1:] if kept[0] == "s" else json.loads(kept[1:])


def _tracked(compute: Callable[[], Any]) -> tuple[Any, set[str]]:
    outer = _reading.get()
    reading: set[str] = set()
    token = _reading.set(reading)
    try:
        value = compute()
    finally:
        _reading.reset(token)
        if outer is not None:  # a remembered result inside another: the outer one read these tables too
            outer.update(reading)
    return value, reading


def _has_changes(session: Session | None) -> bool:
    if session is None:  # nothing has used the database in this context yet (a visitor's kept page)
        return False
    return bool(session.info.get(WRITTEN) or session.new or session.dirty or session.deleted)


def _digest(key: Any) -> str:
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:32]


def forget_everything(app: Flask) -> None:
    """After the data was replaced wholesale (demo data loaded, a database restored): drop every kept result."""
    client = app.extensions.get("datacache")
    if client is None:
        return
    try:
        batch = list(client.scan_iter(match=app.config["CACHE_KEY_PREFIX"] + "result:*", count=1000))
        for start in range(0, len(batch), 1000):
            client.delete(*batch[start:start + 1000])
    except RedisError as error:
        log.warning("could not forget the cached results: %s", error)
