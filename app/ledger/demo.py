"""Demo money: most of the open call's announced pool has arrived by bank transfer, so awards can be made."""

from __future__ import annotations

from app.ledger import services


def load_demo_ledger(users: dict, calls: dict) -> None:
    voices = calls["voices"]
    services.record_offline_contribution(users["coordinator"], voices, amount=1_500_000,
                                         contributor_name="Fondation Benali", reference="VIR-2026-1107",
                                         memo="First instalment of the 2027 pool.")
