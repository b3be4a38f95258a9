"""app/money.py: reading typed amounts into minor units, and showing them back."""

from __future__ import annotations

import pytest

from app.money import MAX_UNITS, AmountError, amount_for_input, decimals_of, format_money, parse_amount


@pytest.mark.parametrize(("typed", "cents"), [
    ("1500", 150_000),
    ("1500.50", 150_050),
    ("1500,50", 150_050),
    ("1 500,50", 150_050),
    ("1\u00a0500,50", 150_050),  # the no-break space French keyboards and Babel write
    ("1\u202f500,50", 150_050),  # the narrow no-break space
    ("1,500.50", 150_050),
    ("1.500,50", 150_050),
    ("1'500.50", 150_050),
    ("1,500", 150_000),  # a lone separator before three digits groups thousands
    ("1.500", 150_000),
    ("12.345", 1_234_500),
    ("1,234,567", 123_456_700),
    ("1500.5", 150_050),
    ("1500,5", 150_050),
    (",50", 50),
    ("0", 0),
    ("  20 000  ", 2_000_000),
    ("+12", 1_200),
    ("$1,500", 150_000),
    ("1500 CAD", 150_000),
    ("0012.30", 1_230),
    (f"{MAX_UNITS}", MAX_UNITS * 100),
])
def test_parse_amount_reads_what_people_type(typed, cents):
    assert parse_amount(typed, "CAD") == cents


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_parse_amount_returns_none_for_an_empty_field(typed):
    assert parse_amount(typed, "CAD") is None


@pytest.mark.parametrize(("typed", "message"), [
    ("-5", "not negative"),
    ("−5", "not negative"),
    ("(5)", "not negative"),
    ("1500.505", "at most 2 decimals"),
    ("1,500.505", "at most 2 decimals"),
    ("12,3456", "at most 2 decimals"),
    ("12abc", "in figures"),
    ("abc", "in figures"),
    ("1e5", "in figures"),
    ("1,2,3", "in figures"),
    ("1.500.5", "in figures"),
    ("1.500,000.00", "in figures"),
    (".", "in figures"),
    ("1..5", "in figures"),
    (f"{MAX_UNITS + 1}", "at most 10 000 000"),
    ("9" * 30, "at most 10 000 000"),
    ("9" * 5000, "at most 10 000 000"),  # longer than Python's int() accepts from a string
])
def test_parse_amount_refuses_with_a_clear_message(app, typed, message):
    with pytest.raises(AmountError) as raised:
        parse_amount(typed, "CAD")
    assert message in str(raised.value)


def test_amounts_follow_the_currency_minor_unit(app):
    assert decimals_of("CAD") == decimals_of("EUR") == 2
    assert decimals_of("XOF") == 0
    assert decimals_of(None) == 2
    assert parse_amount("5 000", "XOF") == 5_000
    with pytest.raises(AmountError, match="no cents"):
        parse_amount("5000,50", "XOF")


def test_amounts_are_integers_never_floats():
    assert isinstance(parse_amount("0.10", "EUR"), int)
    assert parse_amount("0.1", "EUR") + parse_amount("0.2", "EUR") == parse_amount("0.3", "EUR")


@pytest.mark.parametrize(("cents", "currency", "locale", "shown"), [
    (2_000_000, "CAD", "en", "CA$20,000.00"),
    (150_050, "EUR", "en", "€1,500.50"),
    (2_000_000, "CAD", "fr", "20\u202f000,00\u00a0$CA"),
    (5_000, "XOF", "fr", "5\u202f000\u00a0F\u202fCFA"),
    (0, "USD", "en", "$0.00"),
])
def test_format_money_writes_amounts_as_the_reader_does(cents, currency, locale, shown):
    assert format_money(cents, currency, locale=locale) == shown


def test_format_money_leaves_nothing_for_no_amount():
    assert format_money(None, "CAD", locale="en") == ""


@pytest.mark.parametrize(("cents", "currency", "written"), [
    (150_050, "CAD", "1500.50"),
    (150_000, "CAD", "1500"),
    (5, "CAD", "0.05"),
    (5_000, "XOF", "5000"),
    (None, "CAD", ""),
])
def test_amount_for_input_reads_back_the_same(cents, currency, written):
    assert amount_for_input(cents, currency) == written
    if cents is not None:
        assert parse_amount(written, currency) == cents
