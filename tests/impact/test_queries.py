"""The report's figures against the hand-computed world of conftest.py, per call and overall."""

from __future__ import annotations

from app.impact import queries
from app.impact.figures import Money, Reach
from tests.factories import create_call, create_project, create_team


def _report(user):
    return queries.impact_report(queries.calls_in_scope(user))


def test_overall_figures_for_a_coordinator(world):
    report = _report(world.coordinator)
    overall = report.overall

    assert (overall.funded, overall.completed) == (4, 1)
    assert overall.money == (Money("CAD", 800_000, 400_000), Money("EUR", 100_000, 50_000))
    assert overall.reach == Reach(projects=4, people=280, pieces=8, events=4)
    assert (overall.approved_milestones, overall.on_time, overall.on_time_ratio) == (4, 3, 0.75)


def test_theme_rows_count_a_project_in_each_of_its_themes_and_the_total_counts_it_once(world):
    overall = _report(world.coordinator).overall

    assert overall.by_theme == (
        ("counter_narratives", Reach(2, 250, 5, 2)),
        ("intercultural_dialogue", Reach(1, 30, 3, 2)),
        ("hate_speech", Reach(1, 200, 4, 2)),
        ("inclusion", Reach(1, 0, 0, 0)),
    )
    assert sum(reach.projects for _, reach in overall.by_theme) == 5  # one project has two themes
    assert overall.reach.projects == 4


def test_country_rows_add_up_to_the_totals(world):
    overall = _report(world.coordinator).overall

    assert overall.by_country == (("CA", Reach(2, 200, 4, 2)), ("FR", Reach(1, 50, 1, 0)),
                                  ("SN", Reach(1, 30, 3, 2)))
    for field in ("projects", "people", "pieces", "events"):
        assert sum(getattr(reach, field) for _, reach in overall.by_country) == getattr(overall.reach, field)


def test_each_call_has_its_own_figures_in_its_own_currency(world):
    calls = dict((info.title, figures) for info, figures in _report(world.coordinator).calls)

    a, b = calls["Voices Against Hate"], calls["Ponts numériques"]
    assert (a.funded, a.completed, b.funded, b.completed) == (3, 1, 1, 0)
    assert a.money == (Money("CAD", 800_000, 400_000),)
    assert b.money == (Money("EUR", 100_000, 50_000),)
    assert a.reach == Reach(3, 250, 5, 2)
    assert b.reach == Reach(1, 30, 3, 2)
    assert (a.approved_milestones, a.on_time, b.approved_milestones, b.on_time) == (3, 2, 1, 1)


def test_per_call_rows_add_up_to_the_overall_figures(world):
    report = _report(world.coordinator)
    rows = [figures for _, figures in report.calls]

    assert sum(f.funded for f in rows) == report.overall.funded
    assert sum(f.completed for f in rows) == report.overall.completed
    assert sum(f.approved_milestones for f in rows) == report.overall.approved_milestones
    assert sum(f.on_time for f in rows) == report.overall.on_time
    assert sum(f.reach.people for f in rows) == report.overall.reach.people


def test_a_funder_overall_covers_only_the_calls_they_manage(world):
    report = _report(world.funder_a)

    assert [info.title for info, _ in report.calls] == ["Voices Against Hate"]
    assert (report.overall.funded, report.overall.money) == (3, (Money("CAD", 800_000, 400_000),))
    assert all(country != "SN" for country, _ in report.overall.by_country)


def test_a_call_without_grants_is_left_out_of_the_overall_rows_but_has_its_own_report(world):
    empty = create_call(world.funder_a, title="Nothing yet", currency="USD")

    assert "Nothing yet" not in [info.title for info, _ in _report(world.funder_a).calls]
    own = queries.impact_report([queries.call_info(empty)], list_empty_calls=True)
    (_info, figures), = own.calls
    assert (figures.funded, figures.money, figures.reach) == (0, (Money("USD", 0, 0),), Reach())
    assert figures.on_time_ratio is None


def test_the_report_takes_the_same_number_of_queries_however_many_projects(world, count_queries):
    calls = queries.calls_in_scope(world.coordinator)
    before = count_queries(lambda: queries.impact_report(calls))
    for country in ("BE", "MA", "TN"):
        create_project(create_team(country=country), world.call_a, approved=1)
        create_project(create_team(country=country), world.call_b, state="completed", amount=100_000)

    assert count_queries(lambda: queries.impact_report(calls)) == before == 3
