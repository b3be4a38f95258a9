"""The filtered audit log as CSV, written out batch by batch so that any size of log streams in constant memory.

UTF-8 with a byte-order mark (spreadsheet apps then read accents right); text a spreadsheet would run as a
formula gets a leading quote, as in the decisions export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import nullcontext

from flask_babel import lazy_gettext as _l

from app.auditlog import queries
from app.auditlog.labels import action_label, detail_pairs, subject_label
from app.decisions.services import safe_cell

HEADER = (_l("Entry"), _l("Time (UTC)"), _l("Who (number)"), _l("Who"), _l("Action code"), _l("Action"),
          _l("About"), _l("Record number"), _l("Details"))


def row(entry) -> list:
    actor = entry.actor
    return [entry.id, entry.created_at.isoformat(timespec="seconds"), entry.actor_id or "",
            actor.display_name if actor is not None else "", entry.action, action_label(entry.action),
            subject_label(entry.subject_type), entry.subject_id if entry.subject_id is not None else "",
            "; ".join(f"{key}: {value}" for key, value in detail_pairs(entry.detail))]


def _line(cells) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def lines(filters: queries.Filters, within=nullcontext) -> Iterator[bytes]:
    """The byte-order mark and header, then one chunk per batch of entries.

    A streamed response is written after its request has ended: `within()` gives each piece the app context
    and language it is read in, and is left before the piece is handed out, so no context stays open between
    two pieces (the server may send them from different places)."""
    with within():
        chunk = "\ufeff" + _line([str(title) for title in HEADER])
    yield chunk.encode("utf-8")
    after, size = None, queries.EXPORT_BATCH
    while True:
        with within():
            batch = queries.batch_after(filters, after, size)
            chunk = "".join(_line(row(entry)) for entry in batch)
            after = (batch[-1].created_at, batch[-1].id) if batch else None
        if chunk:
            yield chunk.encode("utf-8")
        if len(batch) < size:
            return
