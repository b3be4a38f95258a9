"""Forms to report a concern, close a report, take a moderation decision, appeal it, decide the appeal, and
keep the list of flagged terms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.calls.forms import clean_text
from app.i18n import options
from app.safety.labels import CATEGORY_LABELS, KIND_LABELS, RULE_LABELS, TERM_LANGUAGE_LABELS
from app.safety.models import CATEGORIES, MODERATION_KINDS, TERM_LANGUAGES

CHOOSE = _l("Choose the kind of concern closest to what you saw.")
DETAIL_LIMIT = 2000
RESOLUTION_LIMIT = 2000
REASON_LIMIT = 2000
WARNING_LIMIT = 200
GROUNDS_LIMIT = 2000
TERM_LIMIT = 120


class ReportForm(FlaskForm):
    subject = HiddenField()
    category = RadioField(_l("Kind of concern"), choices=options(CATEGORY_LABELS.items()),
                          validate_choice=False, validators=[DataRequired(CHOOSE), AnyOf(CATEGORIES, message=CHOOSE)],
                          description=_l("Choose the closest. The most serious concerns are read first."))
    detail = TextAreaField(_l("Anything the coordinators should know (optional)"), filters=[clean_text],
                           validators=[Optional(), Length(max=DETAIL_LIMIT, message=_l(
                               "Use at most %(num)d characters.", num=DETAIL_LIMIT))])


class CloseForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution note"), filters=[clean_text], validators=[
        DataRequired(_l("Say what was done, for the record.")),
        Length(max=RESOLUTION_LIMIT, message=_l("Use at most %(num)d characters.", num=RESOLUTION_LIMIT))],
        description=_l("What you checked and what was done. Only coordinators read this."))


def _at_most(limit: int):
    return Length(max=limit, message=_l("Use at most %(num)d characters.", num=limit))


CHOOSE_DECISION = _l("Choose what to do.")
REASON_NEEDED = _l("Give the reason: the person affected reads it in the statement of reasons.")


class ActionForm(FlaskForm):
    """A coordinator's decision about reported or flagged content (or its author's account)."""

    kind = RadioField(_l("Decision"), choices=options(KIND_LABELS.items()), validate_choice=False,
                      validators=[DataRequired(CHOOSE_DECISION), AnyOf(MODERATION_KINDS, message=CHOOSE_DECISION)],
                      description=_l("Choose the mildest decision that is enough: counter-narrative projects may "
                                     "need to quote extremist material, so a warning or limited visibility comes "
                                     "before removal."))
    rule = SelectField(_l("Rule it rests on"), choices=options(RULE_LABELS.items()), validate_choice=False)
    warning = StringField(_l("Content warning readers see (for a content warning)"), filters=[clean_text],
                          validators=[Optional(), _at_most(WARNING_LIMIT)],
                          description=_l("For example: quotes extremist propaganda in order to answer it."))
    reason = TextAreaField(_l("Reason"), filters=[clean_text], validators=[DataRequired(REASON_NEEDED),
                                                                          _at_most(REASON_LIMIT)],
                           description=_l("The facts you relied on and why they break the rule. The person "
                                          "affected reads this in the statement of reasons."))


class AppealForm(FlaskForm):
    key = HiddenField()  # the signed link of the statement email, for someone who cannot sign in (a suspension)
    grounds = TextAreaField(_l("Why the decision should be reversed"), filters=[clean_text], validators=[
        DataRequired(_l("Say why you think the decision is wrong.")), _at_most(GROUNDS_LIMIT)],
        description=_l("You can write once. Another coordinator, not the one who decided, reads your appeal."))


OUTCOME_LABELS = {"upheld": _l("Uphold the appeal: reverse the decision"),
                  "rejected": _l("Reject the appeal: the decision stands")}
CHOOSE_OUTCOME = _l("Choose whether the decision is reversed or stands.")


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(_l("Your decision on the appeal"), choices=options(OUTCOME_LABELS.items()),
                         validate_choice=False, validators=[DataRequired(CHOOSE_OUTCOME),
                                                            AnyOf(tuple(OUTCOME_LABELS), message=CHOOSE_OUTCOME)])
    reason = TextAreaField(_l("Reason for your decision"), filters=[clean_text], validators=[
        DataRequired(_l("Give the reason: the person who appealed reads it.")), _at_most(REASON_LIMIT)])


CHOOSE_LANGUAGE = _l("Choose the language of the term.")


class TermForm(FlaskForm):
    term = StringField(_l("Word or phrase"), filters=[clean_text], validators=[
        DataRequired(_l("Write the word or phrase to watch for.")), _at_most(TERM_LIMIT)],
        description=_l("Matched as whole words, whatever the case and accents."))
    language = SelectField(_l("Language"), choices=options(TERM_LANGUAGE_LABELS.items()), validate_choice=False,
                           validators=[AnyOf(TERM_LANGUAGES, message=CHOOSE_LANGUAGE)])
