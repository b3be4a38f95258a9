"""Names shown for the mentors' stored codes, in the reader's language; themes are the calls' own labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.calls.forms import THEME_LABELS
from app.mentoring.models import EXPERTISE, VETTING_KINDS

EXPERTISE_LABELS = {
    "video": _l("Video and storytelling"),
    "web": _l("Web and app development"),
    "social_media": _l("Social media strategy"),
    "research": _l("Research and evaluation"),
    "organising": _l("Community organising"),
    "design": _l("Design"),
    "fundraising": _l("Fundraising"),
    "other": _l("Other"),
}
assert set(EXPERTISE_LABELS) == set(EXPERTISE)

VETTING_KIND_LABELS = {
    "police_check": _l("Police record check"),
    "vulnerable_sector_check": _l("Vulnerable sector check"),
    "references": _l("References checked"),
    "other": _l("Another kind of check"),
}
assert set(VETTING_KIND_LABELS) == set(VETTING_KINDS)

# The list's filter: every mentor, the vetted ones, or those who need a (new) check.
VETTING_FILTER_LABELS = {
    "vetted": _l("Vetted"),
    "not_vetted": _l("Not vetted or expired"),
}

__all__ = ["EXPERTISE_LABELS", "THEME_LABELS", "VETTING_FILTER_LABELS", "VETTING_KIND_LABELS"]
