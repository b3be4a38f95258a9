"""Names shown for stored codes, in the reader's language."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "youth": _l("youth member"),
    "guardian": _l("guardian or sponsor"),
    "mentor": _l("mentor"),
    "funder": _l("funder"),
    "coordinator": _l("coordinator"),
}

CONSENT_STATE_LABELS = {
    "requested": _l("waiting for an answer"),
    "given": _l("given"),
    "refused": _l("refused"),
}

OUTBOX_STATE_LABELS = {
    "pending": _l("waiting"),
    "sent": _l("sent"),
    "failed": _l("failed"),
}
