"""A readable name, in the reader's language, for every action code and subject the audit log holds.

tests/auditlog/test_labels.py reads every `audit.record(...)` call in app/ and fails when a code has no label
here: a new action is named the day it is recorded.
"""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    # accounts and sign-in
    "account.created": _l("Account created"),
    "account.email_confirmed": _l("Email address confirmed"),
    "account.password_changed": _l("Password changed"),
    "account.profile_updated": _l("Profile updated"),
    "account.signed_in": _l("Signed in"),
    "account.signin_failed": _l("Sign-in refused"),
    "account.signed_out": _l("Signed out"),
    "account.sessions_ended": _l("Sessions ended"),
    "account.two_factor_enabled": _l("Two-factor sign-in turned on"),
    "account.two_factor_disabled": _l("Two-factor sign-in turned off"),
    "account.recovery_code_used": _l("Recovery code used"),
    "account.recovery_codes_renewed": _l("Recovery codes renewed"),
    "account.erased": _l("Account erased"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role taken away"),
    # consent and data rights
    "consent.requested": _l("Consent asked of a guardian"),
    "consent.resent": _l("Consent request sent again"),
    "consent.redirected": _l("Consent request sent to another guardian"),
    "consent.given": _l("Consent given"),
    "consent.refused": _l("Consent refused"),
    "consent.withdrawn": _l("Consent withdrawn"),
    "privacy.exported": _l("Personal data downloaded"),
    "privacy.erasure_requested": _l("Erasure of a minor's data asked for"),
    "privacy.erasure_carried_out": _l("Erasure of a minor's data carried out"),
    "privacy.erasure_refused": _l("Erasure of a minor's data refused"),
    "privacy.purged": _l("Old records removed under the retention rules"),
    # teams
    "team.created": _l("Team created"),
    "team.updated": _l("Team updated"),
    "team.invited": _l("Person invited to a team"),
    "team.invitation_declined": _l("Team invitation declined"),
    "team.invitation_revoked": _l("Team invitation withdrawn"),
    "team.joined": _l("Team joined"),
    "team.left": _l("Team left"),
    "team.member_removed": _l("Member removed from a team"),
    "team.member_erased": _l("Erased member taken off a team"),
    "team.lead_handed_over": _l("Team lead handed over"),
    "team.needs_saved": _l("Team's mentoring needs saved"),
    # calls
    "call.created": _l("Call created"),
    "call.updated": _l("Call edited"),
    "call.publish": _l("Call published"),
    "call.close": _l("Call closed"),
    "call.reopen": _l("Call reopened"),
    "call.archive": _l("Call archived"),
    "call.funder_added": _l("Funder added to a call"),
    "call.milestone_approver_changed": _l("Milestone approver of a call changed"),
    # proposals, reviews and decisions
    "proposal.created": _l("Proposal started"),
    "proposal.edited": _l("Proposal edited"),
    "proposal.attachment_added": _l("Attachment added to a proposal"),
    "proposal.attachment_removed": _l("Attachment removed from a proposal"),
    "proposal.attachment_sensitivity_changed": _l("Sensitive mark of an attachment changed"),
    "proposal.comment": _l("Comment on a proposal"),
    "proposal.submit": _l("Proposal submitted"),
    "proposal.resubmit": _l("Proposal resubmitted"),
    "proposal.start_screening": _l("Proposal screening started"),
    "proposal.pass_to_review": _l("Proposal passed to review"),
    "proposal.decline": _l("Proposal declined"),
    "proposal.request_changes": _l("Changes requested on a proposal"),
    "proposal.award": _l("Proposal awarded"),
    "proposal.withdraw": _l("Proposal withdrawn"),
    "proposal.decision_departure": _l("Decision departing from the suggestion explained"),
    "review.assigned": _l("Reviewer assigned"),
    "review.removed": _l("Reviewer removed"),
    "review.accepted": _l("Review accepted by the reviewer"),
    "review.conflict_declared": _l("Conflict of interest declared by a reviewer"),
    "review.submitted": _l("Review submitted"),
    # mentoring
    "mentor.profile_created": _l("Mentor profile created"),
    "mentor.profile_updated": _l("Mentor profile updated"),
    "mentor.conflict_declared": _l("Conflict with a team declared by a mentor"),
    "mentor.conflict_withdrawn": _l("Mentor's conflict with a team withdrawn"),
    "mentor.vetting_recorded": _l("Mentor vetting recorded"),
    "matching.round_started": _l("Matching round started"),
    "matching.round_confirmed": _l("Matching round confirmed"),
    "matching.round_discarded": _l("Matching round discarded"),
    "matching.lock": _l("Match locked in a round"),
    "matching.ban": _l("Match ruled out in a round"),
    "matching.swap": _l("Match swapped in a round"),
    "mentorship.accept": _l("Mentorship accepted"),
    "mentorship.decline": _l("Mentorship declined"),
    "mentorship.withdraw": _l("Mentorship offer withdrawn"),
    "mentorship.end": _l("Mentorship ended"),
    # the team's space
    "team_space.thread_started": _l("Thread started"),
    "team_space.message_posted": _l("Message posted"),
    "team_space.meeting_logged": _l("Mentoring meeting logged"),
    "team_space.opened_by_coordinator": _l("Team thread opened by a coordinator"),
    # delivery
    "agreement.template_saved": _l("Grant agreement text saved"),
    "agreement.accepted": _l("Grant agreement accepted"),
    "agreement.countersigned": _l("Grant agreement countersigned"),
    "grant.activated": _l("Project started"),
    "grant.completed": _l("Project completed"),
    "milestone.submitted": _l("Milestone evidence sent"),
    "milestone.sign_off": _l("Milestone signed off by the mentor"),
    "milestone.concerns": _l("Concerns about a milestone raised by the mentor"),
    "milestone.approved": _l("Milestone approved"),
    "milestone.changes_requested": _l("Changes requested on a milestone"),
    "milestone.due_date_requested": _l("Due date change asked for"),
    "milestone.due_date_accepted": _l("Due date change accepted"),
    "milestone.due_date_refused": _l("Due date change refused"),
    "milestone.evidence_sensitivity_changed": _l("Sensitive mark of an evidence file changed"),
    "showcase.published": _l("Project published in the showcase"),
    "showcase.updated": _l("Showcase page updated"),
    "showcase.unpublished": _l("Project taken out of the showcase"),
    # money
    "ledger.contribution": _l("Money: contribution received"),
    "ledger.refund": _l("Money: refund to a contributor"),
    "ledger.award": _l("Money: award committed"),
    "ledger.award_release": _l("Money: award released"),
    "ledger.disbursement": _l("Money: paid to a team"),
    "ledger.disbursement_reversal": _l("Money: payment reversed"),
    "ledger.contribution_recorded": _l("Bank transfer recorded"),
    "payments.contribution_completed": _l("Online contribution completed"),
    "payments.contribution_refused": _l("Online contribution refused"),
    "payments.contribution_closed": _l("Online contribution not paid"),
    "payee.chosen": _l("Payee chosen"),
    "payee.bank_reference_recorded": _l("Payee's bank details recorded"),
    "payout.payable": _l("Tranche payable"),
    "payout.released": _l("Tranche released"),
    "payout.paid": _l("Transfer paid"),
    "payout.failed": _l("Transfer failed"),
    "payout.retried": _l("Transfer tried again"),
    "payout.paid_by_hand": _l("Tranche paid by hand"),
    # concerns and moderation
    "report.created": _l("Concern reported"),
    "report.closed": _l("Concern closed"),
    "moderation.dismiss": _l("Moderation: report dismissed"),
    "moderation.content_warning": _l("Moderation: content warning added"),
    "moderation.limit_visibility": _l("Moderation: visibility limited"),
    "moderation.remove": _l("Moderation: content removed"),
    "moderation.suspend": _l("Moderation: account suspended"),
    "moderation.appealed": _l("Moderation decision appealed"),
    "moderation.appeal_upheld": _l("Appeal upheld"),
    "moderation.appeal_rejected": _l("Appeal rejected"),
    "moderation.flagged": _l("Content flagged for review"),
    "moderation.flag_reviewed": _l("Flagged content reviewed"),
    "moderation.term_added": _l("Flagged term added"),
    "moderation.term_removed": _l("Flagged term removed"),
}

# What an entry is about: the table its subject lives in.
SUBJECT_LABELS = {
    "users": _l("Person"),
    "guardian_consents": _l("Consent request"),
    "consent_records": _l("Consent record"),
    "erasure_requests": _l("Erasure request"),
    "user_sessions": _l("Sign-in session"),
    "teams": _l("Team"),
    "team_invitations": _l("Team invitation"),
    "calls": _l("Call"),
    "proposals": _l("Proposal"),
    "proposal_comments": _l("Comment"),
    "review_assignments": _l("Review assignment"),
    "mentor_profiles": _l("Mentor profile"),
    "mentor_vettings": _l("Mentor vetting"),
    "match_rounds": _l("Matching round"),
    "mentorships": _l("Mentorship"),
    "team_threads": _l("Thread"),
    "team_messages": _l("Message"),
    "meeting_logs": _l("Mentoring meeting"),
    "grants": _l("Grant"),
    "project_milestones": _l("Milestone"),
    "project_publications": _l("Showcase page"),
    "ledger_entries": _l("Ledger entry"),
    "contributions": _l("Contribution"),
    "payees": _l("Payee"),
    "disbursements": _l("Payment"),
    "reports": _l("Concern"),
    "moderation_actions": _l("Moderation action"),
    "appeals": _l("Appeal"),
    "flagged_terms": _l("Flagged term"),
    "content_flags": _l("Flag"),
    "none": _l("No record"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def subject_label(table: str) -> str:
    return str(SUBJECT_LABELS.get(table, table))


def detail_text(value) -> str:
    """One value of an entry's detail as plain text: ids, codes, amounts in minor units, dates."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(detail_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def detail_pairs(detail: dict | None) -> list[tuple[str, str]]:
    """The detail as (key, value) pairs in a stable order, for the page and the export."""
    return [(key, detail_text(value)) for key, value in sorted((detail or {}).items())]
