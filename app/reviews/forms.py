"""Forms for screening, assigning reviewers, declaring conflicts and scoring."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import CheckboxListField
from app.i18n import options

REQUIRED = _l("This field is required.")
COMMENT_LIMIT = 5000
NOT_APPLICABLE = "na"
SCORES = ("1", "2", "3", "4", "5")

RECOMMENDATION_LABELS = {
    "fund": _l("Fund"),
    "fund_with_changes": _l("Fund with changes"),
    "do_not_fund": _l("Do not fund"),
}


def _comment_length():
    return Length(max=COMMENT_LIMIT, message=_l("Use at most %(num)d characters.", num=COMMENT_LIMIT))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason for declining"), validators=[
        DataRequired(_l("Give a reason: the team reads it on their proposal's page and in an email.")),
        Length(max=2000, message=_l("Use at most 2000 characters."))],
        description=_l("The team reads this on their proposal's page and in an email."))


class SuggestForm(FlaskForm):
    """Sent with GET: a suggestion changes nothing, so the page can be reloaded and shared."""

    class Meta:
        csrf = False

    reviewers = CheckboxListField(_l("Reviewers to share the work"), coerce=int, validators=[
        DataRequired(_l("Choose at least one reviewer."))],
        description=_l("The suggestion gives new reviews only to the people chosen here; reviews already "
                       "assigned stay as they are."))


class AddReviewerForm(FlaskForm):
    reviewer = SelectField(_l("Reviewer to add"), coerce=str, validate_choice=False,
                           validators=[DataRequired(_l("Choose a reviewer."))])


class ConflictForm(FlaskForm):
    reason = TextAreaField(_l("What is the conflict?"), validators=[
        DataRequired(_l("Say briefly what the conflict is, for the coordinators.")),
        Length(max=2000, message=_l("Use at most 2000 characters."))],
        description=_l("For example: I know a team member, or I work with their organisation. Only the "
                       "coordinators read this."))


class ScoreChoice:
    """A score from 1 to 5, or "not applicable" where the criterion allows it; nothing chosen is an error."""

    def __init__(self, allow_not_applicable: bool):
        self.allow_not_applicable = allow_not_applicable

    def __call__(self, form, field):
        value = field.data or ""
        if value in SCORES or (value == NOT_APPLICABLE and self.allow_not_applicable):
            return
        if value == NOT_APPLICABLE:
            raise ValidationError(_l("This criterion must be scored: give a score from 1 to 5."))
        if self.allow_not_applicable:
            raise ValidationError(_l("Give a score from 1 to 5, or choose “Not applicable”."))
        raise ValidationError(_l("Give a score from 1 to 5."))


def review_form(criteria):
    """A form with one score and one comment per criterion of the call's rubric, then the recommendation.

    Fields are named criterion_<id> and comment_<id>, the names the review service uses for its errors; they
    are made in page order, so the error summary lists problems in the order the page shows them."""
    fields: dict = {}
    for criterion in criteria:
        descriptors = list(criterion.level_descriptors or [])
        choices = [(value, f"{value} — {descriptors[i]}" if i < len(descriptors) and descriptors[i] else value)
                   for i, value in enumerate(SCORES)]
        if criterion.allow_not_applicable:
            choices.append((NOT_APPLICABLE, _l("Not applicable")))
        fields[f"criterion_{criterion.id}"] = RadioField(
            criterion.title, choices=options(choices), validate_choice=False,
            validators=[ScoreChoice(criterion.allow_not_applicable)], description=criterion.description)
        fields[f"comment_{criterion.id}"] = TextAreaField(
            _l("Your comment on “%(criterion)s” (optional)", criterion=criterion.title),
            validators=[_comment_length()])
    fields["recommendation"] = RadioField(
        _l("Your recommendation"), choices=options(RECOMMENDATION_LABELS.items()), validate_choice=False,
        validators=[DataRequired(_l("Choose a recommendation.")), _known_recommendation])
    fields["comment"] = TextAreaField(_l("Overall comment (optional)"), validators=[_comment_length()],
                                      description=_l("What the funders should know when they decide."))
    form_class = type("ReviewForm", (FlaskForm,), fields)
    return form_class()


def _known_recommendation(form, field):
    if field.data not in RECOMMENDATION_LABELS:
        raise ValidationError(_l("Choose a recommendation."))


def read_scores(form, criteria) -> tuple[dict[int, int | None], dict[int, str]]:
    """The scores (None for not applicable) and comments, as the review service takes them."""
    scores, comments = {}, {}
    for criterion in criteria:
        value = getattr(form, f"criterion_{criterion.id}").data
        scores[criterion.id] = int(value) if value in SCORES else None
        comments[criterion.id] = getattr(form, f"comment_{criterion.id}").data or ""
    return scores, comments
