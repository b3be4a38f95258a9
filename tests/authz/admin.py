"""Authorization matrix rows for the admin routes."""

from tests.authz import coordinators, row

ROWS = [
    row("admin.people", "GET", "/admin/people", coordinators(200)),
    row("admin.change_role", "POST", lambda c: f"/admin/people/{c.other_member.id}/roles", coordinators(400)),
    row("admin.outbox", "GET", "/admin/outbox", coordinators(200)),
    row("admin.outbox_message", "GET", lambda c: f"/admin/outbox/{c.message.id}", coordinators(200)),
    row("admin.retry_message", "POST", lambda c: f"/admin/outbox/{c.message.id}/retry", coordinators(302)),
]
