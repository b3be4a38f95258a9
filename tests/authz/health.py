"""Authorization matrix rows for the health checks: open to everyone (load balancers do not sign in)."""

from __future__ import annotations

from tests.authz import everyone, row

ROWS = [
    row("health.healthz", "GET", "/healthz", everyone(200)),
    row("health.readyz", "GET", "/readyz", everyone(200)),
]
