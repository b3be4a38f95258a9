"""Money as integer minor units (cents) with a currency code: reading what people type, showing amounts.

A currency's minor unit comes from ISO 4217 through Babel: cents for CAD or EUR, none for XOF (the franc is
its own smallest unit), millimes for TND. Amounts are never floats.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

# The largest amount anyone may type: ten million units, far below a 32-bit column's limit in cents.
MAX_UNITS = 10_000_000
_GROUPING_CHARACTERS = " \u00a0\u202f\u2009'’_"
_DIGITS = re.compile(r"\d+")


class AmountError(ValueError):
    """What the person typed is not an amount we accept; str(error) says why, in their language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def decimals_of(currency: str | None) -> int:
    """How many digits the currency has after the decimal separator (2 when unknown)."""
    if not currency:
        return 2
    try:
        return get_currency_precision(currency)
    except Exception:  # an unknown code: Babel raises on some versions, answers 2 on others
        return 2


def parse_amount(text: str | None, currency: str | None = None) -> int | None:
    """'1 500,50', '1,500.50', '1500.5' or '1500' → minor units; None for an empty field; AmountError otherwise.

    A lone comma or point after one to three digits and before exactly three digits groups thousands ('1,500'
    and '1.500' are 1500), as people write them in English and in French; '1500.505' has three decimals and
    is refused for a currency with cents. One or two digits after the separator are decimals.
    """
    if text is None:
        return None
    cleaned = text.strip()
    for character in _GROUPING_CHARACTERS:
        cleaned = cleaned.replace(character, "")
    if currency:
        cleaned = re.sub(rf"^{re.escape(currency)}|{re.escape(currency)}$", "", cleaned, flags=re.IGNORECASE)
    cleaned = cleaned.strip("$€£")
    if not cleaned:
        return None
    if cleaned.startswith(("-", "−", "(")):
        raise AmountError(_l("Enter an amount that is not negative."))
    cleaned = cleaned.removeprefix("+")
    if not re.fullmatch(r"[\d.,]+", cleaned) or not re.search(r"\d", cleaned):
        raise AmountError(_l("Enter the amount in figures, like 1500 or 1 500,50."))
    places = decimals_of(currency)
    whole, fraction = _split(cleaned, places)
    if len(fraction) > places:
        if places == 0:
            raise AmountError(_l("This currency has no cents: enter a whole amount."))
        raise AmountError(lazy_ngettext("Use at most %(num)d decimal.", "Use at most %(num)d decimals.", places))
    whole = whole.lstrip("0")
    if len(whole) > len(str(MAX_UNITS)) or int(whole or "0") > MAX_UNITS:
        raise AmountError(_l("Enter an amount of at most %(max)s.", max=f"{MAX_UNITS:,}".replace(",", " ")))
    return int(whole or "0") * 10**places + int(fraction.ljust(places, "0") or "0")


def _split(cleaned: str, places: int) -> tuple[str, str]:
    """The whole part and the decimals, after deciding which separator (if any) marks the decimals."""
    separators = [character for character in cleaned if character in ",."]
    if not separators:
        return cleaned, ""
    last = separators[-1]
    position = cleaned.rfind(last)
    whole, fraction = cleaned[:position], cleaned[position + 1:]
    # '1,500' and '12.345' group thousands; '1500.505' has three decimals (a first group is 1 to 3 digits).
    thousands = len(fraction) == 3 and places < 3 and 1 <= len(whole) <= 3
    grouping_only = len(set(separators)) == 1 and (len(separators) > 1 or thousands)
    if grouping_only:
        whole, fraction = cleaned, ""
    if not whole:
        whole = "0"  # ",50" is fifty cents
    groups = re.split(r"[.,]", whole)
    if any(not group for group in groups) or any(len(group) != 3 for group in groups[1:]):
        raise AmountError(_l("Enter the amount in figures, like 1500 or 1 500,50."))
    if len(groups) > 1 and len(set(character for character in whole if character in ",.")) > 1:
        raise AmountError(_l("Enter the amount in figures, like 1500 or 1 500,50."))
    if fraction and not fraction.isdigit():
        raise AmountError(_l("Enter the amount in figures, like 1500 or 1 500,50."))
    return "".join(groups), fraction


def to_decimal(minor: int, currency: str | None) -> Decimal:
    return Decimal(minor).scaleb(-decimals_of(currency))


def format_money(minor: int | None, currency: str, locale=None) -> str:
    """An amount as the reader writes money: 'CA$20,000.00' in English, '20 000,00 $CA' in French."""
    if minor is None:
        return ""
    if locale is None:
        from flask_babel import get_locale

        locale = get_locale() or "en"
    return format_currency(to_decimal(minor, currency), currency, locale=locale)


def amount_for_input(minor: int | None, currency: str | None) -> str:
    """An amount written back into a form field, plainly: '1500.50', or '1500' when there are no decimals."""
    if minor is None:
        return ""
    places = decimals_of(currency)
    whole, rest = divmod(minor, 10**places)
    return f"{whole}.{rest:0{places}d}" if places and rest else str(whole)
