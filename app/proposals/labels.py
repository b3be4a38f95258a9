"""Names shown for the proposal's stored codes and fields, in the reader's language."""

from flask_babel import lazy_gettext as _l

from app.calls.forms import THEME_LABELS  # noqa: F401  (the call's themes, named once)

FIELD_LABELS = {
    "title": _l("Project title"),
    "summary": _l("Summary"),
    "problem": _l("The problem"),
    "approach": _l("Your approach"),
    "audience": _l("Audience"),
    "expected_reach": _l("Expected reach"),
    "themes": _l("Themes"),
    "amount_requested": _l("Amount requested"),
    "budget_lines": _l("Budget"),
    "milestones": _l("Milestone plan"),
    "attachments": _l("Attachments"),
}

BUDGET_CATEGORY_LABELS = {
    "equipment": _l("Equipment"),
    "software": _l("Software and licences"),
    "services": _l("Services"),
    "materials": _l("Materials"),
    "travel": _l("Travel"),
    "events": _l("Events"),
    "communication": _l("Communication"),
    "other": _l("Other"),
}

ATTACHMENT_KIND_LABELS = {
    "pitch_deck": _l("Pitch deck"),
    "storyboard": _l("Storyboard"),
    "video": _l("Short video"),
}

# The audit actions a proposal page shows; the transition moves are named after the move itself.
AUDIT_ACTION_LABELS = {
    "proposal.created": _l("started the draft"),
    "proposal.edited": _l("edited"),
    "proposal.attachment_added": _l("added an attachment"),
    "proposal.attachment_removed": _l("removed an attachment"),
    "proposal.attachment_sensitivity_changed": _l("changed whether an attachment is marked sensitive"),
    "proposal.submit": _l("submitted"),
    "proposal.resubmit": _l("resubmitted"),
    "proposal.withdraw": _l("withdrew the proposal"),
    "proposal.start_screening": _l("started screening"),
    "proposal.pass_to_review": _l("passed it to review"),
    "proposal.decline": _l("declined"),
    "proposal.request_changes": _l("requested changes"),
    "proposal.award": _l("awarded"),
    "proposal.decision_departure": _l("explained why the decision departs from the suggestion"),
    "review.assigned": _l("assigned a reviewer"),
    "review.removed": _l("removed a reviewer"),
}

