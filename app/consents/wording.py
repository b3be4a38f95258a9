"""What a guardian or a young person agrees to, purpose by purpose, in the reader's language.

Each wording has a version: the version and the exact text shown are stored with every consent record, so the
record says what was agreed even after the wording changes. Change a text → change its version.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

PURPOSES = ("participation", "mentoring", "showcase", "photos")
# What the young person agrees to themself: taking part is their own sign-up.
OWN_PURPOSES = ("mentoring", "showcase", "photos")
# Once old enough to consent alone, a young person may still say no to being shown; mentoring is then the
# team's choice, like taking part.
OWN_PURPOSES_OF_AGE = ("showcase", "photos")
# The version stored for an agreement that came with joining the portal (the person was old enough to consent
# alone), recorded only when they withdraw it.
JOINED_VERSION = "joined"

PURPOSE_LABELS = {
    "participation": _l("Taking part"),
    "mentoring": _l("Being mentored"),
    "showcase": _l("Appearing in the public showcase"),
    "photos": _l("Photos and videos"),
}


@dataclass(frozen=True)
class Wording:
    version: str
    text: object  # a lazy string with %(name)s (and %(birth)s for taking part)


GUARDIAN = {
    "participation": Wording("2026-12", _l(
        "I agree that %(name)s, born on %(birth)s, may take part in Passerelle: join project teams, write and "
        "submit proposals and report on milestones. Their team's shared space has no private messages between "
        "adults and young people, and programme coordinators can read it. I can withdraw this consent at any "
        "time from my dashboard.")),
    "mentoring": Wording("2026-12", _l(
        "I agree that %(name)s may be coached by a vetted adult mentor in their team's shared space, which "
        "programme coordinators can read. There are no private messages between adults and young people.")),
    "showcase": Wording("2026-12", _l(
        "I agree that the first name of %(name)s may appear with their team's name and project on the public "
        "showcase pages of Passerelle. Their surname, email address and age are never shown.")),
    "photos": Wording("2026-12", _l(
        "I agree that photos or videos in which %(name)s can be recognised may be shown with their team's "
        "project, including on public pages.")),
}

OWN = {
    "mentoring": Wording("2026-12", _l(
        "I agree to be coached by a vetted adult mentor in my team's shared space, which the programme's "
        "coordinators can read.")),
    "showcase": Wording("2026-12", _l(
        "I agree that my first name may appear with my team's name and project on the public showcase pages. "
        "My surname, email address and age are never shown.")),
    "photos": Wording("2026-12", _l(
        "I agree that photos or videos in which I can be recognised may be shown with my team's project, "
        "including on public pages.")),
}


def wording_for(purpose: str, given_as: str) -> Wording:
    return (GUARDIAN if given_as == "guardian" else OWN)[purpose]


def render(purpose: str, given_as: str, subject) -> str:
    """The text as the person reads it now, with the young person's name (and birth date) filled in."""
    text = wording_for(purpose, given_as).text
    return str(text) % {"name": subject.display_name, "birth": format_date(subject.birth_date, "long")}
