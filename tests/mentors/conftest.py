"""Shared helpers for the mentors tests."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from babel.dates import format_date

PROFILE = {
    "expertise": ["video", "design"], "languages": ["en", "fr"], "timezone": "America/Toronto", "capacity": "2",
    "accepting_teams": "y", "availability": "Weekday evenings", "bio": "I make **documentaries** with teens.",
    "preferred_themes": ["counter_narratives"], "accept_conduct": "y",
}


def text_of(response) -> str:
    """The page with HTML entities decoded, so apostrophes and quotes read as typed."""
    return html.unescape(response.get_data(as_text=True))


def error_beside(page: str, field_id: str) -> str:
    """The error message shown next to a field, or '' when there is none."""
    match = re.search(rf'id="{field_id}-error">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).replace("Error:", "").strip() if match else ""


def long_date(day: date) -> str:
    return format_date(day, "long", locale="en")


@pytest.fixture
def mentor(create_user):
    return create_user("mentor", name="Maya Mentor", email="maya@example.org")


@pytest.fixture
def coordinator(create_user):
    return create_user("coordinator", name="Colette Coordinator")
