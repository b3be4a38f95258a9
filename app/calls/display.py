"""How calls read on a page: deadlines in the call's zone and the reader's, currencies by name."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.calls.models import CURRENCIES
from app.db import utcnow
from app.i18n import is_timezone, options


def _locale():
    return get_locale() or Locale.parse("en")


def moment_in(moment: datetime, zone: str) -> str:
    """'15 March 2027 at 23:59 (America/Toronto)', in the reader's language."""
    tzinfo = ZoneInfo(zone if is_timezone(zone) else "UTC")
    return _("%(date)s at %(time)s (%(zone)s)",
             date=format_datetime(moment, "d MMMM y", tzinfo=tzinfo, locale=_locale()),
             time=format_datetime(moment, "HH:mm", tzinfo=tzinfo, locale=_locale()),
             zone=zone.replace("_", " "))


def viewer_zone(call_zone: str) -> str | None:
    """The signed-in reader's zone when it differs from the call's; None when it is the same or unknown."""
    zone = getattr(current_user, "timezone", None) if current_user and current_user.is_authenticated else None
    return zone if zone and zone != call_zone and is_timezone(zone) else None


def deadline_text(call, now: datetime | None = None) -> str:
    """When the call closes (or closed), in its own zone and, when different, in the reader's."""
    moment = moment_in(call.closes_at, call.timezone)
    if call.closes_at <= (now or utcnow()):
        text = _("closed %(moment)s", moment=moment)
    elif call.state == "closed":
        text = _("closed before its deadline (%(moment)s)", moment=moment)
    else:
        text = _("closes %(moment)s", moment=moment)
    zone = viewer_zone(call.timezone)
    if zone:
        text += " " + _("— for you: %(moment)s", moment=moment_in(call.closes_at, zone))
    return text


def opening_text(call, now: datetime | None = None) -> str:
    moment = moment_in(call.opens_at, call.timezone)
    text = _("opened %(moment)s", moment=moment) if call.opens_at <= (now or utcnow()) else \
        _("opens %(moment)s", moment=moment)
    zone = viewer_zone(call.timezone)
    if zone:
        text += " " + _("— for you: %(moment)s", moment=moment_in(call.opens_at, zone))
    return text


def currency_choices():
    names = _locale().currencies
    return options((code, f"{code} — {names.get(code, code)}") for code in CURRENCIES)


def currency_name(code: str) -> str:
    return _locale().currencies.get(code, code)
