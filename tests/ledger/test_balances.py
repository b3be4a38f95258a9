"""The ledger's rules without a database: balances are sums of entries, and no sequence of operations, however
random, gets an entry past an invariant."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ledger import balances as rules
from app.ledger.balances import (
    AWARD,
    AWARD_RELEASE,
    CONTRIBUTION,
    DISBURSEMENT,
    DISBURSEMENT_REVERSAL,
    REFUND,
    Balances,
    Entry,
    LedgerViolation,
)

GRANTS = (1, 2, 3)


@st.composite
def entries(draw):
    kind = draw(st.sampled_from(rules.KINDS))
    grant = None if kind in rules.POOL_KINDS else draw(st.sampled_from(GRANTS))
    return Entry(kind, draw(st.integers(min_value=1, max_value=50_000)), grant)


def _holds(balances: Balances) -> None:
    assert balances.available >= 0
    assert balances.contributed >= 0 and balances.disbursed >= 0
    for grant in balances.grants.values():
        assert 0 <= grant.disbursed <= grant.awarded
    assert balances.awarded == sum(g.awarded for g in balances.grants.values())
    assert balances.disbursed == sum(g.disbursed for g in balances.grants.values())
    assert balances.disbursed <= balances.awarded <= balances.contributed


@settings(max_examples=300, deadline=None)
@given(st.lists(entries(), max_size=60))
def test_whatever_is_attempted_the_written_entries_keep_every_invariant(attempts):
    balances, written = Balances(), []
    for entry in attempts:
        try:
            balances = rules.apply(balances, entry)
        except LedgerViolation:
            continue
        written.append(entry)
        _holds(balances)
    # The balances are nothing but the sums of what was written: recomputing them gives the same numbers.
    assert rules.summarise(written) == balances


@settings(max_examples=200, deadline=None)
@given(st.lists(entries(), max_size=40), entries())
def test_a_refused_entry_is_refused_for_the_reason_it_would_break(attempts, extra):
    balances = Balances()
    for entry in attempts:
        if rules.violation(balances, entry) is None:
            balances = rules.apply(balances, entry)
    code = rules.violation(balances, extra)
    after = rules.add(balances, extra)
    if code is None:
        _holds(after)
    elif code == rules.POOL_EXCEEDED:
        assert after.available < 0
    elif code == rules.OVERPAID:
        assert after.grant(extra.grant_id).disbursed > after.grant(extra.grant_id).awarded
    else:
        assert code == rules.NEGATIVE_BALANCE


def test_a_worked_example():
    balances = Balances()
    for entry in (Entry(CONTRIBUTION, 10_000), Entry(AWARD, 6_000, 1), Entry(DISBURSEMENT, 2_000, 1),
                  Entry(AWARD, 3_000, 2), Entry(AWARD_RELEASE, 1_000, 2), Entry(REFUND, 500),
                  Entry(DISBURSEMENT_REVERSAL, 500, 1)):
        balances = rules.apply(balances, entry)
    assert (balances.contributed, balances.awarded, balances.disbursed) == (9_500, 8_000, 1_500)
    assert (balances.available, balances.outstanding) == (1_500, 6_500)
    assert balances.grant(1).remaining == 4_500 and balances.grant(2).awarded == 2_000


@pytest.mark.parametrize(("start", "entry", "code"), [
    ([Entry(CONTRIBUTION, 1_000)], Entry(AWARD, 1_001, 1), rules.POOL_EXCEEDED),
    ([Entry(CONTRIBUTION, 1_000), Entry(AWARD, 1_000, 1)], Entry(REFUND, 1), rules.POOL_EXCEEDED),
    ([Entry(CONTRIBUTION, 1_000), Entry(AWARD, 500, 1)], Entry(DISBURSEMENT, 501, 1), rules.OVERPAID),
    ([Entry(CONTRIBUTION, 1_000), Entry(AWARD, 500, 1)], Entry(DISBURSEMENT, 100, 2), rules.OVERPAID),
    ([Entry(CONTRIBUTION, 1_000), Entry(AWARD, 500, 1), Entry(DISBURSEMENT, 300, 1)], Entry(AWARD_RELEASE, 201, 1),
     rules.OVERPAID),
    ([Entry(CONTRIBUTION, 1_000)], Entry(AWARD_RELEASE, 1, 1), rules.NEGATIVE_BALANCE),
    ([], Entry(CONTRIBUTION, 0), rules.NOT_POSITIVE),
    ([], Entry(CONTRIBUTION, -5), rules.NOT_POSITIVE),
    ([], Entry(CONTRIBUTION, 5, 1), rules.NEEDS_GRANT),
    ([], Entry(AWARD, 5), rules.NEEDS_GRANT),
])
def test_each_invariant_refuses_by_name(start, entry, code):
    balances = rules.summarise(start)
    assert rules.violation(balances, entry) == code
    with pytest.raises(LedgerViolation) as refused:
        rules.apply(balances, entry)
    assert refused.value.code == code


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown ledger entry kind"):
        rules.apply(Balances(), Entry("gift", 5))
