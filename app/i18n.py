"""Languages, time zones and the lists of places the forms offer."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from zoneinfo import available_timezones

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from wtforms import SelectChoice

from app.extensions import babel


def options(pairs) -> list[SelectChoice]:
    """Form choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# Working languages a team or mentor can name; ISO 639-1 codes, shown in the reader's language.
WORKING_LANGUAGES = (
    "en", "fr", "es", "ar", "de", "it", "pt", "nl", "pl", "ro", "tr", "fa", "ur", "hi", "zh", "ru", "uk",
    "sw", "wo", "ht", "iu", "cr",
)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and workers: no session, no browser to ask
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def register_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.add_template_filter(format_number, "numberformat")
    app.add_template_filter(format_file_size, "filesize")


def format_number(value) -> str:
    """1234567 as "1,234,567" in English and "1 234 567" in French."""
    from babel.numbers import format_decimal

    return format_decimal(value or 0, locale=str(get_locale() or "en"))


def format_file_size(size: int) -> str:
    from app.uploads import format_size

    return format_size(size)


def current_language() -> str:
    return str(get_locale() or "en")


def _collation_key(name: str) -> str:
    """Sort as a reader expects: accents and case do not move a name (Bénin before Burundi)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@lru_cache(maxsize=8)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(language).territories
    codes = [code for code in names if len(code) == 2 and code.isalpha() and code not in {"ZZ", "XA", "XB"}]
    return tuple(sorted(((code, names[code]) for code in codes), key=lambda item: _collation_key(item[1])))


def country_choices() -> list[SelectChoice]:
    return options(_country_choices(current_language()))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return Locale.parse(current_language()).territories.get(code, code)


@lru_cache(maxsize=8)
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(language).languages
    pairs = ((code, names.get(code, code)) for code in WORKING_LANGUAGES)
    return tuple(sorted(pairs, key=lambda item: _collation_key(item[1])))


def language_choices() -> list[SelectChoice]:
    return options(_language_choices(current_language()))


def language_name(code: str) -> str:
    return Locale.parse(current_language()).languages.get(code, code)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    """The tz database's names, read once: available_timezones() walks the zoneinfo folders on every call."""
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _timezone_pairs() -> tuple[tuple[str, str], ...]:
    zones = sorted(z for z in _zone_names() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return (("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones))


def timezone_choices() -> list[SelectChoice]:
    return options(_timezone_pairs())


def is_timezone(name: str) -> bool:
    return name == "UTC" or name in _zone_names()
