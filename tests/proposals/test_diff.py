"""Comparing two submitted versions, field by field."""

from __future__ import annotations

from app.proposals.diff import Segment, compare, text_segments

BASE = {
    "title": "Voices", "summary": "Podcasts by teenagers in Montréal.", "problem": "Hate online.", "approach": "",
    "audience": "Teenagers", "expected_reach": 2000, "themes": ["counter_narratives"], "amount_requested": 300_000,
    "currency": "CAD",
    "budget_lines": [{"category": "equipment", "description": "Microphones", "amount": 300_000}],
    "milestones": [{"title": "Step 1", "deliverable": "", "due_date": "2027-01-01", "tranche_amount": 300_000}],
    "attachments": [],
}


def test_identical_versions_have_no_change():
    assert compare(BASE, dict(BASE)) == []


def test_a_changed_word_shows_as_itself():
    segments = text_segments("Podcasts by teenagers in Montréal.", "Podcasts by young people in Montréal.")
    assert segments == [Segment("same", "Podcasts by "), Segment("removed", "teenagers"),
                        Segment("added", "young people"), Segment("same", " in Montréal.")]


def test_text_fields_added_removed_and_changed():
    new = {**BASE, "approach": "Weekly episodes.", "problem": "", "title": "Voices of Peace"}
    changes = {change.field: change for change in compare(BASE, new)}
    assert changes["approach"].kind == "added"
    assert changes["problem"].kind == "removed"
    assert changes["title"].kind == "changed"
    assert changes["title"].segments[-1] == Segment("added", " of Peace")


def test_values_and_lists():
    new = {**BASE, "amount_requested": 250_000, "themes": ["inclusion", "counter_narratives"],
           "budget_lines": [{"category": "equipment", "description": "Microphones", "amount": 200_000},
                            {"category": "travel", "description": "Bus", "amount": 50_000}],
           "milestones": [], "attachments": [{"kind": "video", "filename": "teaser.mp4"}]}
    changes = {change.field: change for change in compare(BASE, new)}
    assert changes["amount_requested"].old == 300_000 and changes["amount_requested"].new == 250_000
    assert changes["themes"].kind == "changed"
    assert [(row.position, row.kind) for row in changes["budget_lines"].rows] == [(1, "changed"), (2, "added")]
    assert changes["milestones"].kind == "removed"
    assert changes["milestones"].rows[0].kind == "removed"
    assert changes["attachments"].kind == "added"
    assert list(changes) == ["themes", "amount_requested", "budget_lines", "milestones", "attachments"]


def test_theme_order_does_not_count_as_a_change():
    assert compare({**BASE, "themes": ["a", "b"]}, {**BASE, "themes": ["b", "a"]}) == []
