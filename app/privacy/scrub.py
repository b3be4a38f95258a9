"""Finding a person's identifiers in every text column of every table, and replacing them.

An erased person's email address, full name and birth date can sit in places no foreign key leads to: an
invitation's address, the consent text a guardian agreed to, an audit entry's detail, an email in the outbox,
a notice's parameters, a teammate's message. Rather than list those places (and miss the next one a
capability adds), every string and JSON column of every table is searched, reflected from the models.

The first name alone is replaced only in text the portal itself wrote (notices, emails, audit details,
consent texts) and only when nobody else still active has it: in what people wrote, a bare first name is
too often someone else's, or an ordinary word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import JSON, String, Table, Text, cast, or_, select, update
from sqlalchemy import Enum as EnumType

from app import db
from app.db import Base

# Columns the portal writes itself, from templates and codes: where a distinctive first name is replaced too.
GENERATED_TEXT = {
    ("notifications", "params"), ("outbox_messages", "subject"), ("outbox_messages", "body"),
    ("audit_entries", "detail"), ("guardian_consents", "text_agreed"), ("consent_records", "wording"),
}
# The person's own row is pseudonymised field by field; everyone else's name is their own.
SKIPPED_TABLES = {"users"}
BATCH = 50  # identities searched in one pass over the tables


@dataclass(frozen=True)
class Identity:
    """What identified a person, and what replaces it."""

    email: str
    name: str
    first_name: str | None  # set only when distinctive
    birth_date: date | None
    replacement_name: str
    replacement_email: str
    extra: tuple[tuple[str, str], ...] = field(default=())  # (text, replacement), e.g. a bank reference

    def needles(self, generated: bool) -> list[tuple[str, str, bool]]:
        """(text, replacement, whole word) pairs, longest first so a full name goes before its first name.
        Names and addresses match as whole words: "Ana Souza" is not the start of "Ana Souzanne"."""
        found = [(self.email, self.replacement_email, True), (self.name, self.replacement_name, True),
                 *((text, replacement, False) for text, replacement in self.extra)]
        if self.birth_date is not None:
            found.append((self.birth_date.isoformat(), "…", False))
        if generated and self.first_name:
            found.append((self.first_name, self.replacement_name, True))
        return sorted(((text, rep, word) for text, rep, word in found if text and len(text) >= 3),
                      key=lambda needle: -len(needle[0]))


def _searchable_columns(table: Table) -> tuple[list, list]:
    texts, documents = [], []
    for column in table.columns:
        if column.primary_key or isinstance(column.type, EnumType):
            continue
        if isinstance(column.type, JSON):
            documents.append(column)
        elif isinstance(column.type, String | Text):
            texts.append(column)
    return texts, documents


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _json_form(text: str) -> str:
    """How the text looks inside a stored JSON document (non-ASCII letters escaped)."""
    return json.dumps(text)[1:-1]


def _pattern(needles: list[tuple[str, str, bool]]) -> tuple[re.Pattern, dict[str, str]]:
    replacements: dict[str, str] = {}
    parts = []
    for text, replacement, whole_word in needles:
        replacements[text.casefold()] = replacement
        escaped = re.escape(text)
        parts.append(rf"(?<!\w){escaped}(?!\w)" if whole_word else escaped)
    return re.compile("|".join(parts), re.IGNORECASE), replacements


def _replace_in(value, pattern: re.Pattern, replacements: dict[str, str]):
    if isinstance(value, str):
        return pattern.sub(lambda match: replacements.get(match.group(0).casefold(), "…"), value)
    if isinstance(value, list):
        return [_replace_in(item, pattern, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in(item, pattern, replacements) for key, item in value.items()}
    return value


def scrub(identities: Iterable[Identity]) -> int:
    """Replace the identities' traces in every table but `users`; returns how many rows changed."""
    identities = list(identities)
    changed = 0
    for start in range(0, len(identities), BATCH):
        changed += _scrub_batch(identities[start:start + BATCH])
    return changed


def _scrub_batch(identities: list[Identity]) -> int:
    db.session.flush()
    changed = 0
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        texts, documents = _searchable_columns(table)
        if not texts and not documents:
            continue
        columns = texts + documents
        needles_of = {column.name: [needle for identity in identities
                                    for needle in identity.needles((table.name, column.name) in GENERATED_TEXT)]
                      for column in columns}
        conditions = []
        for column in texts:
            conditions += [column.ilike(_like(text), escape="\\") for text, _r, _w in needles_of[column.name]]
        for column in documents:
            as_text = cast(column, Text)
            for text, _r, _w in needles_of[column.name]:
                conditions += [as_text.ilike(_like(form), escape="\\") for form in {text, _json_form(text)}]
        if not conditions:
            continue
        primary_key = list(table.primary_key.columns)
        rows = db.session.execute(select(*primary_key, *columns).where(or_(*conditions))).all()
        for row in rows:
            values = {}
            for column in columns:
                pattern, replacements = _pattern(needles_of[column.name])
                old = getattr(row, column.name)
                new = _replace_in(old, pattern, replacements)
                if new != old:
                    # A pseudonym may be longer than what it replaces; PostgreSQL refuses what does not fit.
                    limit = getattr(column.type, "length", None)
                    values[column.name] = new[:limit] if limit and isinstance(new, str) else new
            if values:
                key = [column == getattr(row, column.name) for column in primary_key]
                db.session.execute(update(table).where(*key).values(**values))
                changed += 1
    # Rows already loaded may hold the old text; read them again when next used.
    db.session.expire_all()
    return changed

