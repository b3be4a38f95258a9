"""What changed between two submitted versions of a proposal, field by field (pure: no database, no Flask)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

# Fields in the order a reader meets them on the proposal page.
TEXT_FIELDS = ("title", "summary", "problem", "approach", "audience")
VALUE_FIELDS = ("expected_reach", "themes", "amount_requested")
LIST_FIELDS = ("budget_lines", "milestones", "attachments")

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    """A piece of text that is in both versions ("same"), only in the old ("removed") or only in the new."""

    kind: str
    text: str


@dataclass
class Change:
    field: str
    kind: str  # "added", "removed" or "changed"
    old: object = None
    new: object = None
    segments: list[Segment] = field(default_factory=list)  # for text fields
    rows: list[Change] = field(default_factory=list)  # for lists: one per row that differs
    position: int | None = None  # for a row: its place in the list, from 1


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _kind(old, new) -> str:
    if _empty(old):
        return "added"
    if _empty(new):
        return "removed"
    return "changed"


def text_segments(old: str, new: str) -> list[Segment]:
    """Word by word, so that a changed word shows as itself rather than as a whole rewritten paragraph."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, "same", "".join(a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _append(segments, "removed", "".join(a[i1:i2]))
        if tag in ("insert", "replace"):
            _append(segments, "added", "".join(b[j1:j2]))
    return segments


def _append(segments: list[Segment], kind: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].kind == kind:
        segments[-1] = Segment(kind, segments[-1].text + text)
    else:
        segments.append(Segment(kind, text))


def _rows(name: str, old: list, new: list) -> list[Change]:
    rows = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = new[index] if index < len(new) else None
        if before != after:
            rows.append(Change(name, _kind(before, after), before, after, position=index + 1))
    return rows


def compare(old: dict, new: dict) -> list[Change]:
    """The fields that differ between two snapshots (as stored in ProposalVersion.content)."""
    changes: list[Change] = []
    for name in TEXT_FIELDS:
        before, after = old.get(name) or "", new.get(name) or ""
        if before != after:
            changes.append(Change(name, _kind(before, after), before, after, segments=text_segments(before, after)))
    for name in VALUE_FIELDS:
        before, after = old.get(name), new.get(name)
        if name == "themes":
            before, after = sorted(before or []), sorted(after or [])
        if before != after:
            changes.append(Change(name, _kind(before, after), before, after))
    for name in LIST_FIELDS:
        before, after = old.get(name) or [], new.get(name) or []
        if before != after:
            changes.append(Change(name, _kind(before, after), before, after, rows=_rows(name, before, after)))
    return changes
