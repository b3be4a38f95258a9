"""The pure age rules: exact ages around birthdays, the consent age by place, who needs a guardian."""

from __future__ import annotations

from datetime import date

import pytest

from app.accounts.age import age_on, consent_age, needs_guardian
from config import Config

TABLE = Config.CONSENT_AGES


@pytest.mark.parametrize(("birth", "today", "age"), [
    (date(2000, 6, 15), date(2020, 6, 14), 19),  # the day before the birthday
    (date(2000, 6, 15), date(2020, 6, 15), 20),  # on the birthday
    (date(2000, 6, 15), date(2020, 6, 16), 20),
    (date(2000, 12, 31), date(2001, 1, 1), 0),
    (date(2000, 1, 1), date(2000, 12, 31), 0),
    (date(2004, 2, 29), date(2021, 2, 28), 16),  # born on 29 February: not yet a year older on 28 Feb
    (date(2004, 2, 29), date(2021, 3, 1), 17),  # ... but on 1 March of a common year
    (date(2004, 2, 29), date(2024, 2, 28), 19),
    (date(2004, 2, 29), date(2024, 2, 29), 20),  # and on 29 Feb of a leap year
    (date(2004, 3, 1), date(2024, 2, 29), 19),  # born 1 March: 29 Feb is still before the birthday
])
def test_age_on(birth, today, age):
    assert age_on(birth, today) == age


@pytest.mark.parametrize(("country", "region", "expected"), [
    ("CA", "CA-QC", 14),  # the subdivision wins over the country
    ("CA", "QC", 14),  # a bare subdivision code is read within the country
    ("CA", None, 13),
    ("CA", "", 13),
    ("CA", "CA-ON", 13),  # a subdivision with no entry falls back to the country
    ("FR", None, 15),
    ("FR", "CA-QC", 15),  # a subdivision of another country is ignored
    ("DE", None, 16),
    ("US", None, 13),
    ("GB", None, 13),
    ("ES", None, 14),
    ("BR", None, 16),  # a country with no entry gets DEFAULT
    (None, None, 16),
    (None, "CA-QC", 16),  # a region without a country is not enough
])
def test_consent_age_most_specific_wins(country, region, expected):
    assert consent_age(country, region, TABLE) == expected


def test_consent_age_uses_the_table_it_is_given():
    assert consent_age("CA", "CA-QC", {"DEFAULT": 18, "CA": 12}) == 12
    assert consent_age("FR", None, {"DEFAULT": 18, "CA": 12}) == 18


TODAY = date(2026, 5, 20)


def born_years_ago(years: int, days_later: int = 0) -> date:
    """A birth date that makes someone exactly `years` old today, shifted later by a number of days."""
    from datetime import timedelta

    return TODAY.replace(year=TODAY.year - years) + timedelta(days=days_later)


@pytest.mark.parametrize(("birth", "country", "region", "needed"), [
    (born_years_ago(13), "CA", "CA-QC", True),  # 13 in Québec: under 14
    (born_years_ago(14), "CA", "CA-QC", False),  # 14 today in Québec: no longer
    (born_years_ago(14, days_later=1), "CA", "CA-QC", True),  # turns 14 tomorrow
    (born_years_ago(13), "CA", None, False),  # 13 elsewhere in Canada
    (born_years_ago(12), "CA", None, True),
    (born_years_ago(14), "FR", None, True),  # France: under 15
    (born_years_ago(15), "FR", None, False),
    (born_years_ago(15), "DE", None, True),  # Germany: under 16
    (born_years_ago(16), "DE", None, False),
    (born_years_ago(13), "US", None, False),
    (born_years_ago(15), "BR", None, True),  # DEFAULT 16
    (born_years_ago(15), None, None, True),
    (born_years_ago(30), "FR", None, False),
])
def test_needs_guardian(birth, country, region, needed):
    assert needs_guardian(birth, country, region, TODAY, TABLE) is needed
