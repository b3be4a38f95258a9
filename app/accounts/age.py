"""Pure rules about age: who needs a guardian's consent, by where they live."""

from __future__ import annotations

from datetime import date


def age_on(birth_date: date, today: date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def consent_age(country: str | None, region: str | None, table: dict[str, int]) -> int:
    """The most specific entry wins: subdivision (CA-QC), then country (CA), then DEFAULT."""
    if country and region:
        key = region if region.startswith(f"{country}-") else f"{country}-{region}"
        if key in table:
            return table[key]
    if country and country in table:
        return table[country]
    return table["DEFAULT"]


def needs_guardian(birth_date: date, country: str | None, region: str | None, today: date,
                   table: dict[str, int]) -> bool:
    return age_on(birth_date, today) < consent_age(country, region, table)
