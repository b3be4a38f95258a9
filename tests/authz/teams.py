"""Authorization matrix rows for the teams routes."""

from tests.authz import SIGNIN, cells, everyone, row, signed_in, team_lead_only

ROWS = [
    row("teams.index", "GET", "/teams/", signed_in(200, lead=200, member=200)),
    row("teams.create", "GET", "/teams/new", cells(SIGNIN, 200, 403, 403, 403, 403)),
    row("teams.create", "POST", "/teams/new", cells(SIGNIN, 200, 403, 403, 403, 403)),
    row("teams.show", "GET", lambda c: f"/teams/{c.team.id}", signed_in(200, lead=200, member=200)),
    row("teams.edit", "GET", lambda c: f"/teams/{c.team.id}/edit", team_lead_only(200)),
    row("teams.edit", "POST", lambda c: f"/teams/{c.team.id}/edit", team_lead_only(200)),
    row("teams.invite", "POST", lambda c: f"/teams/{c.team.id}/invitations", team_lead_only(400)),
    row("teams.revoke", "POST", lambda c: f"/teams/{c.team.id}/invitations/{c.invitation.id}/revoke",
        team_lead_only(302)),
    row("teams.remove_member", "POST", lambda c: f"/teams/{c.team.id}/members/{c.other_member.id}/remove",
        team_lead_only(302)),
    row("teams.hand_over", "POST", lambda c: f"/teams/{c.team.id}/lead", team_lead_only(302)),
    row("teams.leave", "POST", lambda c: f"/teams/{c.team.id}/leave",
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=403, member=302)),
    row("teams.invitation", "GET", lambda c: f"/teams/invitations/{c.invitation_token}",
        everyone(200, lead=200, member=200, addressee=200)),
    row("teams.answer_invitation", "POST", lambda c: f"/teams/invitations/{c.invitation_token}/accept",
        signed_in(403, lead=403, member=403, addressee=302)),
]
