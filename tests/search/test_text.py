"""The words of a query and the folding both backends share: accents and case never matter."""

from __future__ import annotations

import pytest

from app.search import text


@pytest.mark.parametrize(("typed", "folded"), [
    ("École", "ecole"),
    ("ÉLÈVES", "eleves"),
    ("Ça déménage à Montréal", "ca demenage a montreal"),
    ("Ñandú Åland Ÿ", "nandu aland y"),
    ("Œuvre", "œuvre"),  # a ligature is a letter of its own: folded the same way on both sides, never split
])
def test_fold_lowers_and_drops_accents_character_for_character(typed, folded):
    assert text.fold(typed) == folded
    assert len(text.fold(typed)) == len(typed)


def test_the_sql_translation_table_is_the_one_python_folds_with():
    assert len(text.ACCENTED) == len(text.PLAIN)
    assert text.ACCENTED.isalpha() and text.PLAIN.isascii() and "'" not in text.ACCENTED
    assert all(text.fold(accented) == plain for accented, plain in zip(text.ACCENTED, text.PLAIN, strict=True))


def test_words_split_on_punctuation_and_underscores_and_drop_repeats():
    assert text.words("L'école anti-haine, foo_bar ÉCOLE") == ["l", "ecole", "anti", "haine", "foo", "bar"]
    assert text.words("  ") == []
    assert text.words(None) == []


def test_only_the_first_words_count():
    assert len(text.words(" ".join(f"word{n}" for n in range(30)))) == text.MAX_WORDS


@pytest.mark.parametrize(("query", "searchable"), [
    ("", False), ("   ", False), ("a", False), ("a b ?", False), ("!!", False), ("ab", True), ("l'é", False),
    ("l'école", True), ("42", True),
])
def test_a_query_needs_one_word_of_two_characters(query, searchable):
    assert text.is_searchable(query) is searchable


def test_segments_mark_the_words_found_ignoring_accents_and_case():
    assert text.segments("L'École des ÉLÈVES", text.words("ecole eleve")) == [
        ("L'", False), ("École", True), (" des ", False), ("ÉLÈVE", True), ("S", False)]
    assert text.segments("", ["x"]) == []
    assert text.segments("<b>podcast</b>", ["podcast"]) == [("<b>", False), ("podcast", True), ("</b>", False)]


def test_an_excerpt_keeps_the_first_word_found_in_view():
    long = "intro " * 100 + "the podcast is here " + "outro " * 100
    piece = text.excerpt(long, ["podcast"], width=60)
    assert "podcast" in piece and piece.startswith("…") and piece.endswith("…")
    assert len(piece) == 62
    assert text.excerpt("Short one.", ["podcast"]) == "Short one."
    assert text.excerpt("a  b\n c", []) == "a b c"
