"""Names shown for the stored codes of reports, moderation decisions and appeals, in the reader's language."""

from flask_babel import lazy_gettext as _l

from app.safety.models import (
    APPEAL_STATES,
    CATEGORIES,
    MODERATION_KINDS,
    REPORT_STATES,
    SUBJECT_TYPES,
    TERM_LANGUAGES,
    VISIBILITIES,
)

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

# What a coordinator decided, mildest first, as the action form and the statement of reasons name it.
KIND_LABELS = {
    "dismiss": _l("No action: the report is dismissed"),
    "content_warning": _l("A content warning is added"),
    "limit_visibility": _l("Visibility is limited"),
    "remove": _l("The content is removed"),
    "suspend": _l("The account is suspended"),
}
assert tuple(KIND_LABELS) == MODERATION_KINDS

# The short names the transparency report and the lists use.
KIND_SHORT_LABELS = {
    "dismiss": _l("Dismissed"),
    "content_warning": _l("Content warning"),
    "limit_visibility": _l("Limited visibility"),
    "remove": _l("Removed"),
    "suspend": _l("Account suspended"),
}
assert tuple(KIND_SHORT_LABELS) == MODERATION_KINDS

# The rules of the code of conduct (templates/core/conduct.html) a decision rests on.
RULE_LABELS = {
    "respect": _l("Code of conduct, rule 1: treat everyone with respect"),
    "no_hate_or_violence": _l("Code of conduct, rule 2: no hate speech, harassment, threats or glorified violence"),
    "protect_young_people": _l("Code of conduct, rule 3: protect young people"),
    "privacy": _l("Code of conduct, rule 4: respect privacy"),
    "honesty": _l("Code of conduct, rule 5: be honest"),
}
RULES = tuple(RULE_LABELS)
# The rule a kind of concern usually falls under: the action form starts there, the coordinator may change it.
RULE_OF_CATEGORY = {
    "child_risk": "protect_young_people", "imminent_harm": "no_hate_or_violence",
    "violent_extremism": "no_hate_or_violence", "personal_details": "privacy", "hate_speech": "no_hate_or_violence",
    "harassment": "no_hate_or_violence", "spam": "honesty", "other": "respect",
}
assert set(RULE_OF_CATEGORY) == set(CATEGORIES) and set(RULE_OF_CATEGORY.values()) <= set(RULES)

APPEAL_STATE_LABELS = {"open": _l("Waiting for a decision"), "upheld": _l("Upheld: the decision is reversed"),
                       "rejected": _l("Rejected: the decision stands")}
assert set(APPEAL_STATE_LABELS) == set(APPEAL_STATES)
# How a notice ends: "Your appeal is decided: the decision is reversed."
APPEAL_OUTCOME_LABELS = {"upheld": _l("the decision is reversed"), "rejected": _l("the decision stands")}

VISIBILITY_LABELS = {"normal": _l("Shown normally"), "limited": _l("Limited to its author and coordinators"),
                     "removed": _l("Removed: only coordinators see it")}
assert set(VISIBILITY_LABELS) == set(VISIBILITIES)

TERM_LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French")}
assert set(TERM_LANGUAGE_LABELS) == set(TERM_LANGUAGES)

PERIOD_LABELS = {"month": _l("Month"), "quarter": _l("Quarter"), "year": _l("Year")}
