"""Words for the states of a grant, as people read them on project pages."""

from flask_babel import lazy_gettext as _l

GRANT_STATE_LABELS = {
    "awarded": _l("awarded, agreement not signed yet"),
    "active": _l("under way"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
}

MILESTONE_EVENT_LABELS = {
    "submit": _l("evidence sent"),
    "approve": _l("approved"),
    "request_changes": _l("changes requested"),
    "sign_off": _l("the mentor signed off"),
    "concerns": _l("the mentor raised concerns"),
    "due_date_requested": _l("a new due date was asked for"),
    "due_date_moved": _l("the due date was moved"),
    "due_date_refused": _l("the due date stays"),
}
