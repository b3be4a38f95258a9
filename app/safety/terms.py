"""Flagged terms: new content that uses one is sent to a coordinator for review, and stays visible.

A term matches as whole words, whatever the case and the accents ("Grand Remplacement" matches "grand
remplacement" and "GRAND REMPLACEMENT"; "race war" does not match "race warden"). Both lists (English and
French) are checked on every text: people write in either language. A flag is only a question to a person:
it hides nothing, and nothing is ever removed automatically (visibility.py reads only coordinators' decisions).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from app import audit, db, policy
from app.accounts.models import User
from app.db import utcnow
from app.safety.forms import TERM_LIMIT
from app.safety.models import SUBJECT_TYPES, TERM_LANGUAGES, ContentFlag, FlaggedTerm
from app.validation import ValidationFailed

# A short starting list of phrases used by violent extremist and hate movements, for review, never for hiding:
# a counter-narrative project will quote them on purpose. Coordinators add and remove terms on their page.
DEFAULT_TERMS = {
    "en": ("race war", "white genocide", "great replacement", "day of the rope", "ethnic cleansing",
           "heil hitler", "sieg heil"),
    "fr": ("guerre raciale", "génocide blanc", "grand remplacement", "remigration", "nettoyage ethnique",
           "heil hitler", "sieg heil"),
}


def fold(text: str | None) -> str:
    """Lower case, without accents, one space between words: how terms and texts are compared."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def _pattern(term: str) -> re.Pattern:
    words = [re.escape(word) for word in fold(term).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def matching_terms(text: str | None, terms) -> list[str]:
    """The terms (as written in the list) that occur in the text as whole words, each once, in list order."""
    folded = fold(text)
    if not folded:
        return []
    found = []
    for term in terms:
        if fold(term) and term not in found and _pattern(term).search(folded):
            found.append(term)
    return found


def all_terms() -> list[str]:
    return list(db.session.scalars(select(FlaggedTerm.term).order_by(FlaggedTerm.language, FlaggedTerm.term)))


def flag_if_matching(subject_type: str, subject_id: int, text: str | None, team_id: int | None) -> ContentFlag | None:
    """Called by the services that create content: a flag for review when the text uses a listed term.

    It never changes how the content is shown. One query when nothing matches."""
    if subject_type not in SUBJECT_TYPES:
        raise ValueError(subject_type)
    found = matching_terms(text, all_terms())
    if not found:
        return None
    flag = ContentFlag(subject_type=subject_type, subject_id=subject_id, team_id=team_id, terms=found)
    db.session.add(flag)
    db.session.flush()
    audit.record(None, "moderation.flagged", flag, subject_type=subject_type, subject_id=subject_id, team=team_id,
                 terms=len(found))
    return flag


# -- the list -------------------------------------------------------------------------------------------------
def terms_by_language() -> dict[str, list[FlaggedTerm]]:
    """The whole list (it is short), by language, alphabetically."""
    grouped: dict[str, list[FlaggedTerm]] = {language: [] for language in TERM_LANGUAGES}
    for entry in db.session.scalars(select(FlaggedTerm).order_by(FlaggedTerm.language, FlaggedTerm.term)):
        grouped[entry.language].append(entry)
    return grouped


def add_term(coordinator: User, term: str | None, language: str | None) -> FlaggedTerm:
    if not policy.can_manage_flagged_terms(coordinator):
        raise ValidationFailed([(None, _l("Only coordinators keep the list of flagged terms."))])
    term = " ".join((term or "").split())
    problems = []
    if not term:
        problems.append(("term", _l("Write the word or phrase to watch for.")))
    elif len(term) > TERM_LIMIT:
        problems.append(("term", _l("Use at most %(num)d characters.", num=TERM_LIMIT)))
    elif not fold(term) or not re.search(r"\w", fold(term)):
        problems.append(("term", _l("Use at least one letter or digit.")))
    if language not in TERM_LANGUAGES:
        problems.append(("language", _l("Choose the language of the term.")))
    if problems:
        raise ValidationFailed(problems)
    if _same_term(term, language) is not None:
        raise ValidationFailed([("term", _l("This term is already on the list."))])
    entry = FlaggedTerm(term=term, language=language, added_by_id=coordinator.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed([("term", _l("This term is already on the list."))]) from None
    audit.record(coordinator, "moderation.term_added", entry, language=language)
    return entry


def _same_term(term: str, language: str) -> FlaggedTerm | None:
    """Case and accents do not make a new term."""
    wanted = fold(term)
    return next((entry for entry in db.session.scalars(select(FlaggedTerm).where(FlaggedTerm.language == language))
                 if fold(entry.term) == wanted), None)


def remove_term(coordinator: User, entry: FlaggedTerm) -> None:
    if not policy.can_manage_flagged_terms(coordinator):
        raise ValidationFailed([(None, _l("Only coordinators keep the list of flagged terms."))])
    audit.record(coordinator, "moderation.term_removed", entry, language=entry.language)
    db.session.delete(entry)
    db.session.flush()


def seed_default_terms() -> int:
    """Add the default terms that are not on the list yet; returns how many were added (idempotent)."""
    added = 0
    for language, phrases in DEFAULT_TERMS.items():
        for phrase in phrases:
            if _same_term(phrase, language) is None:
                db.session.add(FlaggedTerm(term=phrase, language=language))
                added += 1
    db.session.flush()
    return added


# -- flags waiting for review -----------------------------------------------------------------------------------
def flags_query(reviewed: bool = False) -> Select:
    """Flags waiting for a look, oldest first (or those reviewed, most recent first)."""
    query = select(ContentFlag)
    if reviewed:
        return query.where(ContentFlag.reviewed_at.is_not(None)).order_by(ContentFlag.reviewed_at.desc(),
                                                                          ContentFlag.id.desc())
    return query.where(ContentFlag.reviewed_at.is_(None)).order_by(ContentFlag.created_at, ContentFlag.id)


def open_flag_count() -> int:
    return db.session.scalar(select(func.count(ContentFlag.id)).where(ContentFlag.reviewed_at.is_(None))) or 0


def mark_reviewed(coordinator: User, flag: ContentFlag) -> ContentFlag:
    """Looked at, nothing to do: the content stays as it is."""
    if not policy.can_moderate(coordinator):
        raise ValidationFailed([(None, _l("Only coordinators review flagged content."))])
    if flag.reviewed_at is None:
        flag.reviewed_at, flag.reviewed_by_id = utcnow(), coordinator.id
        db.session.flush()
        audit.record(coordinator, "moderation.flag_reviewed", flag, subject_type=flag.subject_type,
                     subject_id=flag.subject_id)
    return flag
