"""What the mentoring pages call things: expertise, the reasons a pair fits, why a team found no mentor."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.calls.forms import THEME_LABELS
from app.i18n import language_name
from app.mentoring import matching
from app.mentoring.models import EXPERTISE

EXPERTISE_LABELS = {
    "video": _l("video and storytelling"),
    "web": _l("web and app development"),
    "social_media": _l("social media strategy"),
    "research": _l("research and evaluation"),
    "organising": _l("community organising"),
    "design": _l("design"),
    "fundraising": _l("fundraising"),
    "other": _l("other"),
}
assert set(EXPERTISE_LABELS) == set(EXPERTISE) == set(matching.EXPERTISE)

UNMATCHED_LABELS = {
    matching.NO_MENTORS: _l("no mentor is available in this round"),
    matching.NO_SHARED_LANGUAGE: _l("no available mentor speaks one of the team's languages"),
    matching.NEEDS_VETTED_MENTOR: _l(
        "the team has members under 18, and no vetted mentor who speaks its languages is available"
    ),
    matching.ALL_CONFLICTED: _l("every mentor who could fit has a conflict with the team"),
    matching.NO_CAPACITY: _l("the mentors who fit are full: their places went to other teams"),
}

ROUND_STATE_LABELS = {
    "open": _l("open"),
    "confirmed": _l("confirmed"),
    "discarded": _l("discarded"),
}

OVERRIDE_LABELS = {
    "lock": _l("locked"),
    "ban": _l("banned"),
    "swap": _l("swapped"),
}


def _joined(items: list[str]) -> str:
    return _(", ").join(str(item) for item in items)


def reason_text(reason: dict) -> str:
    """One reason as a phrase: "both speak French", "video and storytelling", "1 h apart"."""
    kind, values = reason.get("kind"), reason.get("values") or []
    if kind == "language":
        return _("both speak %(languages)s", languages=_joined(language_name(code) for code in values))
    if kind == "expertise":
        return _joined(EXPERTISE_LABELS.get(code, code) for code in values)
    if kind == "timezone":
        hours = reason.get("hours") or 0
        if hours == 0:
            return _("same time zone")
        return ngettext("%(num)d h apart", "%(num)d h apart", hours)
    if kind == "preference":
        return _(
            "the mentor cares about %(themes)s",
            themes=_joined(str(THEME_LABELS.get(code, code)).lower() for code in values),
        )
    return str(kind)


def reasons_text(reasons: list[dict]) -> str:
    """The reasons as one line, as the issue's example reads: "both speak French; video production; 1 h apart"."""
    return _("; ").join(reason_text(reason) for reason in reasons)
