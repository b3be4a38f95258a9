"""Who the public may see, and words a public text must not contain: the showcase's safeguarding rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app import policy

# Anything shaped like an email address, whoever it belongs to.
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A single part of a surname is matched only from this length: "Le" or "Da" are ordinary words too.
MIN_SURNAME_PART = 4


@dataclass
class TeamNames:
    """The first names the public sees, and the members who stay unnamed (the lead sees why in the preview)."""

    shown: list[str] = field(default_factory=list)
    hidden: list = field(default_factory=list)

    @property
    def hidden_count(self) -> int:
        return len(self.hidden)


def team_names(memberships, lead_id: int | None) -> TeamNames:
    """Lead first, then by joining order; a member is named only when `can_appear_publicly` allows it."""
    ordered = sorted(memberships, key=lambda m: (m.user_id != lead_id, m.joined_at, m.id))
    names = TeamNames()
    for membership in ordered:
        member = membership.user
        if policy.can_appear_publicly(member) and member.first_name:
            names.shown.append(member.first_name)
        else:
            names.hidden.append(member)
    return names


def hidden_reason(member):
    if not member.is_confirmed:
        return _l("email address not confirmed yet")
    if not policy.needs_guardian_consent(member):
        return _l("they withdrew their agreement to appear in the showcase")
    if not policy.has_consent(member):
        return _l("under the age of consent, with no guardian's consent recorded yet")
    return _l("under the age of consent, without both their guardian's consent and their own agreement to "
              "appear in the showcase")


def surname_of(user) -> str:
    """Everything after the first name: what the showcase never shows."""
    return " ".join(user.display_name.split()[1:])


def private_words(memberships) -> list[tuple[str, object]]:
    """(word, why it may not appear) for a team: emails, surnames, and the first names of unnamed members."""
    words = []
    for membership in memberships:
        member = membership.user
        words.append((member.email, _l("the showcase never shows email addresses")))
        surname = surname_of(member)
        parts = [surname, *(part for part in surname.split() if len(part) >= MIN_SURNAME_PART)]
        words.extend((part, _l("the showcase shows first names only, never surnames")) for part in parts if part)
        if not policy.can_appear_publicly(member) and len(member.first_name) >= 2:
            words.append((member.first_name, _l("this member cannot be named in public yet (see the preview)")))
    return words


def private_word_in(text: str, words) -> tuple[str, object] | None:
    """The first private word the text contains, as a whole word and whatever its case, with the reason."""
    folded = text.casefold()
    for word, reason in words:
        if re.search(r"(?<!\w)" + re.escape(word.casefold()) + r"(?!\w)", folded):
            return word, reason
    match = EMAIL_PATTERN.search(text)
    if match:
        return match.group(0), _l("the showcase never shows email addresses")
    return None
