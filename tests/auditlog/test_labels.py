"""Every action code recorded anywhere in app/ has a readable label, in English and in French."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.auditlog.labels import ACTION_LABELS, SUBJECT_LABELS, action_label, detail_pairs, subject_label
from tests.auditlog.codes import recorded_codes

CATALOGUE = Path(__file__).resolve().parents[2] / "app" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_every_recorded_action_has_a_label():
    codes, unreadable = recorded_codes()
    assert not unreadable, f"audit.record calls whose action code this test cannot read: {unreadable}"
    missing = {code: places for code, places in codes.items() if code not in ACTION_LABELS}
    assert not missing, f"action codes without a label in app/auditlog/labels.py: {missing}"


def test_no_label_for_an_action_nothing_records():
    codes, _unreadable = recorded_codes()
    assert set(ACTION_LABELS) - set(codes) == set()


def test_the_labels_are_translated():
    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file, locale="fr")
    labels = [*ACTION_LABELS.values(), *SUBJECT_LABELS.values()]
    untranslated = [label._args[0] for label in labels
                    if catalogue.get(label._args[0]) is None or not catalogue.get(label._args[0]).string]
    assert not untranslated
    with force_locale("fr"):
        assert action_label("proposal.submit") == "Proposition soumise"
        assert subject_label("team_messages") == "Message"


def test_unknown_codes_show_as_they_are():
    assert action_label("something.new") == "something.new"
    assert subject_label("some_table") == "some_table"


def test_details_read_as_keys_and_values():
    assert detail_pairs({"to_state": "declined", "amount": 2500, "sensitive": True, "fields": ["title", "summary"],
                         "from_state": "submitted"}) == [
        ("amount", "2500"), ("fields", "title, summary"), ("from_state", "submitted"), ("sensitive", "true"),
        ("to_state", "declined")]
    assert detail_pairs(None) == []
