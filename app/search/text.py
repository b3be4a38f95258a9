"""The words of a search and the folding that makes "École", "ECOLE" and "ecole" the same word.

Pure functions: the backends fold stored text with the same table (in SQL) as the query words are folded
here (in Python), so the two sides always agree on what a word is.
"""

from __future__ import annotations

import re
import unicodedata

MIN_LENGTH = 2  # the longest word of a query has at least this many characters
MAX_LENGTH = 200  # characters typed
MAX_WORDS = 10  # words beyond these are ignored: each one costs a condition


def _accent_pairs() -> list[tuple[str, str]]:
    """Latin letters with diacritics, upper and lower case, and the plain lower-case letter each stands for."""
    pairs = []
    for code in range(0x00C0, 0x0250):
        letter = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base.isascii() and base.isalpha() and base != letter:
            pairs.append((letter, base))
    return pairs


_PAIRS = _accent_pairs()
# The two strings of SQL translate(text, ACCENTED, PLAIN): one character of the first becomes the one at the
# same place in the second. Only letters, so they are safe to write into SQL as literals.
ACCENTED = "".join(letter for letter, _base in _PAIRS)
PLAIN = "".join(base for _letter, base in _PAIRS)
_TABLE = str.maketrans(ACCENTED, PLAIN)
_WORD = re.compile(r"[^\W_]+")


def fold(text: str | None) -> str:
    """Lower case without accents, character for character (the same length as the text)."""
    return "".join(_fold_char(char) for char in (text or ""))


def _fold_char(char: str) -> str:
    plain = char.translate(_TABLE)
    if plain != char:
        return plain
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char  # "İ".lower() is two characters: keep the positions


def words(query: str | None) -> list[str]:
    """The folded words of a query, in order, without repeats; punctuation and underscores separate words."""
    found: list[str] = []
    for word in _WORD.findall(fold((query or "")[:MAX_LENGTH])):
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def is_searchable(query: str | None) -> bool:
    """A query needs one word of at least MIN_LENGTH characters; one letter alone would match nearly everything."""
    return any(len(word) >= MIN_LENGTH for word in words(query))


def segments(text: str | None, query_words: list[str]) -> list[tuple[str, bool]]:
    """The text cut into (piece, matches) so a template can mark the words found, escaping every piece."""
    text = text or ""
    folded = fold(text)
    marked = [False] * len(text)
    for word in query_words:
        for match in re.finditer(re.escape(word), folded):
            marked[match.start():match.end()] = [True] * (match.end() - match.start())
    pieces: list[tuple[str, bool]] = []
    for index, char in enumerate(text):
        if pieces and pieces[-1][1] == marked[index]:
            pieces[-1] = (pieces[-1][0] + char, marked[index])
        else:
            pieces.append((char, marked[index]))
    return pieces


def excerpt(text: str | None, query_words: list[str], width: int = 240) -> str:
    """At most `width` characters of the text, around the first word found, with an ellipsis where cut."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    folded = fold(text)
    first = min((position for word in query_words if (position := folded.find(word)) >= 0), default=0)
    start = max(0, min(first - width // 3, len(text) - width))
    piece = text[start:start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(text) else "")
