"""Authorization matrix rows for the core routes."""

from tests.authz import everyone, row, signed_in

ROWS = [
    row("core.home", "GET", "/", everyone(200)),
    row("core.conduct", "GET", "/conduct", everyone(200)),
    row("core.set_language", "POST", "/language", everyone(302)),
    row("core.choose_language", "GET", "/language/fr?next=/conduct", everyone(302)),
    row("core.dashboard", "GET", "/dashboard", signed_in(200)),
]
