"""Authorization matrix rows for the accounts routes."""

from tests.authz import cells, everyone, row, signed_in

ROWS = [
    row("accounts.signup", "GET", "/signup", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.signup", "POST", "/signup", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.check_email", "GET", "/signup/check-email", everyone(200)),
    row("accounts.confirm_email", "GET", lambda c: f"/confirm/{c.confirm_token}", everyone(302)),
    row("accounts.resend_confirmation", "POST", "/confirm/resend", signed_in(302)),
    row("accounts.signin", "GET", "/signin", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.signin", "POST", "/signin", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.signout", "POST", "/signout", everyone(302)),
    row("accounts.forgot_password", "GET", "/password/forgot", everyone(200)),
    row("accounts.forgot_password", "POST", "/password/forgot", everyone(200)),
    row("accounts.reset_password", "GET", lambda c: f"/password/reset/{c.reset_token}", everyone(200)),
    row("accounts.reset_password", "POST", lambda c: f"/password/reset/{c.reset_token}", everyone(200)),
    row("accounts.profile", "GET", "/account", signed_in(200)),
    row("accounts.profile", "POST", "/account", signed_in(302)),  # missing fields keep their saved values
    row("accounts.change_password", "GET", "/account/password", signed_in(200)),
    row("accounts.change_password", "POST", "/account/password", signed_in(200)),
    row("accounts.consent", "GET", lambda c: f"/consent/{c.consent_token}",
        cells(200, 403, 403, 403, 403, 403, addressee=200)),
    row("accounts.consent", "POST", lambda c: f"/consent/{c.consent_token}",
        cells(200, 403, 403, 403, 403, 403, addressee=200)),
    row("accounts.resend_consent", "POST", "/consent/resend", signed_in(403)),  # adults need no consent
]
