"""The audit page: coordinators filter the log by action, person, record and dates, newest first, a page at a time,
and read each entry's detail as key: value; the cost of a page does not grow with its length."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app import db
from app.accounts.models import AuditEntry
from tests.factories import create_user
from tests.pages import field_error, text


@pytest.fixture
def coordinator():
    return create_user("coordinator", name="Cora Coordinator", email="cora@example.org")


def _entry(actor, action: str, subject_type: str = "proposals", subject_id: int | None = 7, *, at=None, **detail):
    """An entry as app.audit.record writes it, at a chosen time."""
    entry = AuditEntry(actor_id=getattr(actor, "id", None), action=action, subject_type=subject_type,
                       subject_id=subject_id, detail=detail, created_at=at or datetime.now(UTC))
    db.session.add(entry)
    db.session.flush()
    return entry


def _rows(response) -> list[str]:
    body = response.get_data(as_text=True)
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    if tbody is None:
        return []
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", tbody.group(1),
                                                                                  re.S)]


def test_the_page_lists_entries_newest_first_with_their_detail(client, login, coordinator):
    amira = create_user("funder", name="Amira Haddad")
    now = datetime.now(UTC)
    _entry(amira, "proposal.submit", at=now - timedelta(hours=2), from_state="draft", to_state="submitted")
    _entry(None, "payout.paid", "grants", 3, at=now - timedelta(hours=1), disbursement_id=12, transfer="tr_1")
    page = login(coordinator).get("/audit/")
    assert page.status_code == 200
    rows = _rows(page)
    assert len(rows) == 2
    assert "The portal" in rows[0] and "Transfer paid" in rows[0] and "payout.paid" in rows[0]
    assert "Grant no. 3" in rows[0] and "disbursement_id : 12" in rows[0] and "transfer : tr_1" in rows[0]
    assert "Amira Haddad" in rows[1] and "Proposal submitted" in rows[1] and "Proposal no. 7" in rows[1]
    assert "from_state : draft" in rows[1] and "to_state : submitted" in rows[1]
    assert "2 entries" in text(page)
    assert "nobody can change or delete one through the portal" in text(page)
    assert "Money: each entry booked in a call's ledger appears here once" in text(page)


def test_the_nav_links_to_the_log_for_coordinators_only(client, login, coordinator):
    assert 'href="/audit/"' in login(coordinator).get("/dashboard").get_data(as_text=True)
    assert 'href="/audit/"' not in login(create_user("funder")).get("/dashboard").get_data(as_text=True)


def test_filter_by_action(client, login, coordinator):
    _entry(coordinator, "role.granted", "users", 1, role="mentor")
    _entry(coordinator, "role.revoked", "users", 1, role="mentor")
    rows = _rows(login(coordinator).get("/audit/?action=role.revoked"))
    assert len(rows) == 1 and "Role taken away" in rows[0]
    page = login(coordinator).get("/audit/")
    assert '<option value="role.revoked">Role taken away</option>' in page.get_data(as_text=True)


@pytest.mark.parametrize("needle", ["amira", "HADDAD", "amira.h@example", "a.h@EXAMPLE.org"])
def test_filter_by_who_acted_by_name_or_email(client, login, coordinator, needle):
    amira = create_user("funder", name="Amira Haddad", email="amira.h@example.org")
    _entry(amira, "call.created", "calls", 1)
    _entry(coordinator, "call.created", "calls", 2)
    rows = _rows(login(coordinator).get("/audit/", query_string={"actor": needle}))
    assert len(rows) == 1 and "Amira Haddad" in rows[0]


def test_the_name_search_takes_wildcards_literally(client, login, coordinator):
    _entry(create_user(name="Amira Haddad"), "call.created", "calls", 1)
    assert _rows(login(coordinator).get("/audit/", query_string={"actor": "%"})) == []
    assert _rows(login(coordinator).get("/audit/", query_string={"actor": "_mira"})) == []


def test_filter_by_record(client, login, coordinator):
    _entry(coordinator, "proposal.submit", "proposals", 7)
    _entry(coordinator, "proposal.submit", "proposals", 8)
    _entry(coordinator, "call.created", "calls", 7)
    login(coordinator)
    assert len(_rows(client.get("/audit/?subject_type=proposals"))) == 2
    rows = _rows(client.get("/audit/?subject_type=proposals&subject_id=7"))
    assert len(rows) == 1 and "Proposal no. 7" in rows[0]
    assert len(_rows(client.get("/audit/?subject_id=7"))) == 2
    link = re.search(r'<a href="([^"]+)" aria-label="Every entry about Proposal no. 8">',
                     client.get("/audit/").get_data(as_text=True))
    assert link and link.group(1) == "/audit/?subject_type=proposals&amp;subject_id=8"


def test_filter_by_days_in_the_readers_time_zone(client, login, coordinator):
    # Toronto is five hours behind UTC in January: 03:00 UTC on the 11th is still the 10th there.
    coordinator.timezone = "America/Toronto"
    _entry(coordinator, "call.close", "calls", 1, at=datetime(2027, 1, 11, 3, 0, tzinfo=UTC))
    _entry(coordinator, "call.reopen", "calls", 1, at=datetime(2027, 1, 11, 6, 0, tzinfo=UTC))
    _entry(coordinator, "call.archive", "calls", 1, at=datetime(2027, 1, 13, 12, 0, tzinfo=UTC))
    login(coordinator)
    only_tenth = _rows(client.get("/audit/?since=2027-01-10&until=2027-01-10"))
    assert len(only_tenth) == 1 and "Call closed" in only_tenth[0]
    from_eleventh = _rows(client.get("/audit/?since=2027-01-11"))
    assert [("Call archived" in row, "Call reopened" in row) for row in from_eleventh] == [(True, False),
                                                                                          (False, True)]
    assert len(_rows(client.get("/audit/?until=2027-01-12"))) == 2


def test_bad_filters_are_explained_beside_their_field_and_never_break_the_page(client, login, coordinator):
    _entry(coordinator, "call.created", "calls", 1)
    page = login(coordinator).get("/audit/?action=nope&subject_type=nowhere&subject_id=abc&since=soon"
                                  "&until=2027-01-01")
    assert page.status_code == 200
    assert field_error(page, "action") == "Choose an action from the list."
    assert field_error(page, "subject_type") == "Choose a kind of record from the list."
    assert field_error(page, "subject_id") == "Enter a record number, 1 or more."
    assert field_error(page, "since") is not None
    assert len(_rows(page)) == 1  # a filter with a problem is set aside, the others apply
    reversed_days = login(coordinator).get("/audit/?since=2027-02-01&until=2027-01-01")
    assert field_error(reversed_days, "until") == "The last day cannot come before the first."
    assert 'value="abc"' in page.get_data(as_text=True)


def test_pages_keep_the_filters(app, client, login, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    start = datetime.now(UTC) - timedelta(days=1)
    for index in range(5):
        _entry(coordinator, "role.granted", "users", index + 1, at=start + timedelta(minutes=index))
    _entry(coordinator, "role.revoked", "users", 99)
    login(coordinator)
    first = client.get("/audit/?action=role.granted")
    assert "Users no." not in text(first) and len(_rows(first)) == 2 and "Person no. 5" in _rows(first)[0]
    assert "Page 1 of 3" in text(first)
    assert 'href="/audit/?page=2&amp;action=role.granted"' in first.get_data(as_text=True) or \
        'href="/audit/?action=role.granted&amp;page=2"' in first.get_data(as_text=True)
    last = client.get("/audit/?action=role.granted&page=3")
    assert len(_rows(last)) == 1 and "Person no. 1" in _rows(last)[0]


def test_a_page_costs_the_same_whatever_its_length(client, login, coordinator, count_queries):
    people = [create_user(name=f"Actor {index}") for index in range(10)]
    _entry(people[0], "call.created", "calls", 1)
    login(coordinator)
    one = count_queries(lambda: client.get("/audit/"))
    for person in people:
        _entry(person, "call.created", "calls", 1, note="x")
    many = count_queries(lambda: client.get("/audit/"))
    assert many == one


def test_an_empty_log_says_so(client, login, coordinator):
    assert "The log is empty." in text(login(coordinator).get("/audit/"))
    assert "No entry matches these filters." in text(login(coordinator).get("/audit/?action=call.created"))
