"""Demo money: most of the open call's announced pool has arrived by bank transfer, so awards can be made, and
Les Voix du Quartier has named Sami's mother as the adult who receives its grant money."""

from __future__ import annotations

from app.ledger import services


def load_demo_ledger(users: dict, calls: dict, teams: dict) -> None:
    from app.payments import payees

    payee = payees.choose(users["lea"], teams["voices"], kind="guardian", guardian_id=users["guardian"].id)
    payees.record_bank_reference(users["coordinator"], payee, "Desjardins, account ending 4417 (file 2027-03)")
    voices = calls["voices"]
    services.record_offline_contribution(users["coordinator"], voices, amount=1_500_000,
                                         contributor_name="Fondation Benali", reference="VIR-2026-1107",
                                         memo="First instalment of the 2027 pool.")
