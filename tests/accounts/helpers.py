"""Helpers for the accounts tests: what people type into forms, and reading rows afresh."""

from __future__ import annotations

from app import db
from tests.factories import PASSWORD, birth_date_for


def reloaded(model, id_):
    """The row as the database has it now, not as this test's session remembers it."""
    db.session.expire_all()
    return db.session.get(model, id_)


def signup_data(**overrides) -> dict:
    """What a person fills in on the sign-up form: an adult youth in Canada unless told otherwise."""
    data = {
        "display_name": "Amira Haddad", "email": "amira@example.org", "password": PASSWORD,
        "birth_date": birth_date_for(20).isoformat(), "country": "CA", "region": "", "locale": "en",
        "timezone": "America/Toronto", "account_type": "youth", "guardian_email": "", "accept_conduct": "y",
    }
    if "age" in overrides:
        data["birth_date"] = birth_date_for(overrides.pop("age")).isoformat()
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
