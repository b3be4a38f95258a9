"""Authorization matrix rows for two-factor sign-in and the sessions list (nobody in the matrix has it on)."""

from tests.authz import SIGNIN, cells, everyone, row, signed_in


def build(world) -> None:
    from app.twofactor import sessions

    world.lead_session = sessions.create(world.lead, user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/128.0",
                                         ip_address="203.0.113.9")


ROWS = [
    # Without a password step just passed, the code step sends everyone back (signed in: to the dashboard).
    row("twofactor.challenge", "GET", "/signin/code", everyone(302)),
    row("twofactor.challenge", "POST", "/signin/code", everyone(302)),
    row("twofactor.setup", "GET", "/account/two-factor/setup", signed_in(200)),
    row("twofactor.setup", "POST", "/account/two-factor/setup", signed_in(200)),  # the code is missing
    row("twofactor.download_codes", "POST", "/account/two-factor/recovery-codes.txt", signed_in(302)),  # no codes
    row("twofactor.renew_codes", "GET", "/account/two-factor/recovery-codes", signed_in(403)),
    row("twofactor.renew_codes", "POST", "/account/two-factor/recovery-codes", signed_in(403)),
    row("twofactor.disable", "GET", "/account/two-factor/off", signed_in(403)),
    row("twofactor.disable", "POST", "/account/two-factor/off", signed_in(403)),
    row("twofactor.end_session", "POST", lambda c: f"/account/sessions/{c.lead_session.id}/end",
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=302, member=403)),
    row("twofactor.end_other_sessions", "POST", "/account/sessions/end-others", signed_in(302)),
]
