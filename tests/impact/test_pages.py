"""The impact report pages: every figure of the hand-computed world on screen, who sees which calls, the filter,
the printable page, and a query count that does not grow with the number of projects."""

from __future__ import annotations

import html
import re

from app import db
from tests.factories import create_call, create_project, create_team, create_user
from tests.pages import field_error, text


def _cells(fragment: str) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", fragment, flags=re.S)]


def table(response, caption_id: str) -> list[list[str]]:
    """The rows of the table whose caption has this id, each as its cells' text (header row first)."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<caption id="{caption_id}"[^>]*>.*?</table>', body, flags=re.S)
    assert match, f"no table {caption_id}"
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", match.group(0), flags=re.S)]


def facts(response, heading_id: str) -> dict[str, str]:
    """The term → description pairs of the first list after the heading."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<h2 id="{heading_id}">.*?</dl>', body, flags=re.S)
    assert match, f"no facts after {heading_id}"
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", match.group(0), flags=re.S)
    return {_cells(f"<td>{term}</td>")[0]: _cells(f"<td>{value}</td>")[0] for term, value in pairs}


def test_the_coordinator_sees_every_figure_of_every_call(world, login):
    response = login(world.coordinator).get("/impact/")

    assert response.status_code == 200
    assert facts(response, "glance-heading") == {
        "Projects funded": "4", "Projects completed": "1", "Money awarded": "CA$8,000.00 €1,000.00",
        "Money paid": "CA$4,000.00 €500.00", "Milestones on time": "3 of 4 approved milestones (75%)"}
    assert table(response, "calls-caption")[1:] == [
        ["Ponts numériques", "1", "0", "€1,000.00", "€500.00", "1 of 1 approved milestone (100%)"],
        ["Voices Against Hate", "3", "1", "CA$8,000.00", "CA$4,000.00", "2 of 3 approved milestones (67%)"],
        ["All these calls", "4", "1", "CA$8,000.00 €1,000.00", "CA$4,000.00 €500.00",
         "3 of 4 approved milestones (75%)"],
    ]
    assert facts(response, "reach-heading") == {"People reached": "280", "Pieces of content": "8",
                                                "Events held": "4"}
    assert table(response, "theme-caption") == [
        ["Theme", "Projects", "People reached", "Pieces of content", "Events held"],
        ["Counter-narratives", "2", "250", "5", "2"],
        ["Intercultural dialogue", "1", "30", "3", "2"],
        ["Countering hate speech", "1", "200", "4", "2"],
        ["Inclusion", "1", "0", "0", "0"],
        ["All projects, each counted once", "4", "280", "8", "4"],
    ]
    assert table(response, "country-caption")[1:] == [
        ["Canada", "2", "200", "4", "2"], ["France", "1", "50", "1", "0"], ["Senegal", "1", "30", "3", "2"],
        ["All projects", "4", "280", "8", "4"],
    ]
    page = text(response)
    assert "A project with two themes counts in both themes' rows" in page
    for sentence in ("Grants awarded, in any state except cancelled", "Awards recorded in the ledger minus",
                     "Payments recorded in the ledger minus reversed payments", "latest evidence of each approved",
                     "first sent on or before their due date (the new date when it was moved by agreement)"):
        assert sentence in page
    assert "Abandoned" not in page and "1,000" not in page.replace("€1,000.00", "")  # the cancelled project's reach


def test_the_chart_is_an_accessible_image_with_the_tables_numbers(world, login):
    body = login(world.coordinator).get("/impact/").get_data(as_text=True)

    svg = re.search(r"<svg\b.*?</svg>", body, flags=re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="theme-chart-title"' in svg
    assert '<title id="theme-chart-title">' in svg
    assert re.findall(r'<rect class="bar"[^>]*width="(\d+)"', svg) == ["480", "58", "384", "0"]


def test_a_calls_own_report_shows_only_that_call(world, login):
    response = login(world.funder_a).get(f"/impact/calls/{world.call_a.id}")

    assert response.status_code == 200
    assert facts(response, "glance-heading") == {
        "Projects funded": "3", "Projects completed": "1", "Money awarded": "CA$8,000.00",
        "Money paid": "CA$4,000.00", "Milestones on time": "2 of 3 approved milestones (67%)"}
    assert table(response, "theme-caption")[-1] == ["All projects, each counted once", "3", "250", "5", "2"]
    assert 'id="calls-caption"' not in response.get_data(as_text=True)
    assert "Ponts numériques" not in text(response)


def test_a_funder_sees_only_the_calls_they_manage(world, login):
    client = login(world.funder_a)

    overall = client.get("/impact/")
    assert [row[0] for row in table(overall, "calls-caption")[1:]] == ["Voices Against Hate", "All these calls"]
    assert facts(overall, "glance-heading")["Money awarded"] == "CA$8,000.00"
    assert "Ponts numériques" not in text(overall) and "€" not in text(overall) and "Senegal" not in text(overall)
    assert client.get(f"/impact/calls/{world.call_b.id}").status_code == 403
    assert client.get(f"/impact/calls/{world.call_b.id}.csv").status_code == 403
    assert client.get(f"/impact/calls/{world.call_b.id}/print").status_code == 403


def test_a_funder_added_to_a_call_sees_it(world, login):
    from app.calls.models import CallFunder

    db.session.add(CallFunder(call_id=world.call_b.id, user_id=world.funder_a.id))
    db.session.flush()

    assert login(world.funder_a).get(f"/impact/calls/{world.call_b.id}").status_code == 200


def test_people_without_the_right_are_refused(world, login, client):
    assert client.get("/impact/").status_code == 302
    for person in (create_user("youth"), create_user("mentor"), create_user("funder", confirmed=False)):
        assert login(person).get("/impact/").status_code == 403
    assert login(world.coordinator).get("/impact/calls/999999").status_code == 404


def test_the_filter_leads_to_the_chosen_calls_report(world, login):
    client = login(world.funder_a)

    response = client.get(f"/impact/?call={world.call_a.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/impact/calls/{world.call_a.id}"
    assert client.get("/impact/?call=").status_code == 200


def test_the_filter_refuses_a_call_the_person_may_not_see_without_saying_whether_it_exists(world, login):
    client = login(world.funder_a)

    for value in (str(world.call_b.id), "999999", "abc"):
        response = client.get(f"/impact/?call={value}")
        assert response.status_code == 400
        assert field_error(response, "call") == "Choose a call from the list."
        assert "Ponts numériques" not in text(response)


def test_the_filter_offers_only_the_persons_calls_with_the_current_one_chosen(world, login):
    body = login(world.funder_a).get(f"/impact/calls/{world.call_a.id}").get_data(as_text=True)

    select = re.search(r'<select id="call" name="call">.*?</select>', body, flags=re.S).group(0)
    assert re.findall(r'<option[^>]*>(.*?)</option>', select) == ["All the calls you manage", "Voices Against Hate"]
    assert re.search(rf'<option selected value="{world.call_a.id}">', select)


def test_the_printable_page_has_the_figures_and_no_navigation_or_forms(world, login):
    client = login(world.coordinator)

    for url in ("/impact/print", f"/impact/calls/{world.call_a.id}/print"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<nav" not in body and "<form" not in body and "<main" in body
        assert '<link rel="stylesheet" href="/static/css/impact.css">' in body
        assert "What the numbers mean" in text(response)
    overall = client.get("/impact/print")
    assert facts(overall, "glance-heading")["Projects funded"] == "4"
    assert table(overall, "calls-caption")[1][0] == "Ponts numériques"  # plain text, not a link
    assert 'href="/impact/calls/' not in re.search(r"<table>.*?</table>", overall.get_data(as_text=True),
                                                   flags=re.S).group(0)


def test_the_print_stylesheet_hides_navigation_and_keeps_rows_whole(app):
    css = (app.static_folder + "/css/impact.css")
    with open(css, encoding="utf-8") as stylesheet:
        rules = stylesheet.read()

    print_rules = rules[rules.index("@media print"):]
    assert ".site-header" in print_rules and ".impact-filter" in print_rules
    assert "break-inside: avoid" in print_rules and "page-break-before" in print_rules
    assert "thead { display: table-header-group; }" in print_rules


def test_the_report_in_french_names_countries_and_formats_numbers_the_french_way(world, login):
    world.coordinator.locale = "fr"
    db.session.flush()
    response = login(world.coordinator).get("/impact/")

    assert "Sénégal" in text(response)
    assert "8 000,00" in text(response).replace("\u202f", " ").replace("\xa0", " ")


def test_the_page_takes_the_same_number_of_queries_however_many_projects(world, login, count_queries):
    client = login(world.coordinator)
    pages = ("/impact/", f"/impact/calls/{world.call_a.id}", "/impact/report.csv", "/impact/print")
    before = [count_queries(lambda url=url: client.get(url)) for url in pages]
    for country in ("BE", "MA", "TN", "CI"):
        call = create_call(create_user("funder"), currency="CHF")
        create_project(create_team(country=country), call, approved=1)
        create_project(create_team(country=country), world.call_a, state="completed")

    assert [count_queries(lambda url=url: client.get(url)) for url in pages] == before
    assert max(before) <= 15  # the signed-in user and their session, the header's counters, four for the report


def test_the_calls_management_page_links_to_the_impact_report(world, login):
    body = login(world.funder_a).get("/calls/manage").get_data(as_text=True)

    assert 'href="/impact/"' in body
