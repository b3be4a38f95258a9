"""How the report's groups read: themes by their label, countries by name in the reader's language."""

from __future__ import annotations

import unicodedata

from flask_babel import format_percent
from flask_babel import gettext as _

from app.calls.forms import THEME_LABELS
from app.i18n import country_name
from app.impact.figures import NO_THEME, Reach


def theme_label(code: str) -> str:
    if code == NO_THEME:
        return _("No theme given")
    return str(THEME_LABELS.get(code, code))


def country_label(code: str) -> str:
    return country_name(code) if code else _("Country not given")


def _collation_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def by_country_name(rows: tuple[tuple[str, Reach], ...]) -> list[tuple[str, Reach]]:
    """Countries in the reader's alphabetical order (Bénin before Burundi), the unknown one last."""
    return sorted(rows, key=lambda row: (not row[0], _collation_key(country_label(row[0]))))


def percent_text(ratio: float | None) -> str:
    return "—" if ratio is None else format_percent(ratio)
