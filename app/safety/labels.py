"""Names shown for the stored codes of reports, in the reader's language."""

from flask_babel import lazy_gettext as _l

from app.safety.models import CATEGORIES, REPORT_STATES, SUBJECT_TYPES

# Most serious first, as in CATEGORIES: the form lists them in this order and the queue sorts by it.
CATEGORY_LABELS = {
    "child_risk": _l("A child may be at risk"),
    "imminent_harm": _l("Someone may be hurt soon"),
    "violent_extremism": _l("Violent extremism"),
    "personal_details": _l("Someone's personal details are exposed"),
    "hate_speech": _l("Hate speech"),
    "harassment": _l("Harassment or bullying"),
    "spam": _l("Spam"),
    "other": _l("Something else"),
}
assert tuple(CATEGORY_LABELS) == CATEGORIES

SUBJECT_LABELS = {
    "team_message": _l("A message in a team's space"),
    "proposal_comment": _l("A comment on a proposal"),
    "proposal": _l("A proposal"),
    "mentor_profile": _l("A mentor's profile"),
    "showcase_page": _l("A page of the public showcase"),
}
assert set(SUBJECT_LABELS) == set(SUBJECT_TYPES)

STATE_LABELS = {"open": _l("Open"), "closed": _l("Closed")}
assert set(STATE_LABELS) == set(REPORT_STATES)
