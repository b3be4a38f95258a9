"""The money of a call: grants and tranches, contributions, and the append-only ledger balances come from."""
