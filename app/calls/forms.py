"""Forms for funding calls: the call itself, its rubric rows, and adding a funder."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.calls.models import CURRENCIES, THEMES
from app.forms import CheckboxListField, EmailField, MoneyField, TimezoneField, email_validators
from app.i18n import is_timezone

REQUIRED = _l("This field is required.")
LEVELS = 5
MAX_CRITERIA = 20
FIRST_YEAR, LAST_YEAR = 2000, 2100

THEME_LABELS = {
    "counter_narratives": _l("Counter-narratives"),
    "digital_literacy": _l("Digital literacy and critical thinking"),
    "intercultural_dialogue": _l("Intercultural dialogue"),
    "hate_speech": _l("Countering hate speech"),
    "inclusion": _l("Inclusion"),
    "other": _l("Other"),
}
assert set(THEME_LABELS) == set(THEMES)
LEVEL_LABELS = (
    _l("Level 1 (weakest)"), _l("Level 2"), _l("Level 3"), _l("Level 4"), _l("Level 5 (strongest)"),
)


def clean_text(value):
    """Trim, and drop NUL characters, which PostgreSQL refuses to store."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class LocalDateTimeField(DateTimeLocalField):
    """A date and time as the browser's datetime-local input sends it, read in the call's time zone later."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
        kwargs.setdefault("invalid_value_message",
                          _l("Enter a date and time, like 2027-03-15 23:59."))
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            raise ValidationError(_l("Choose a date between %(first)d and %(last)d.", first=FIRST_YEAR,
                                     last=LAST_YEAR))


def to_utc(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time in the named zone, as UTC; ValueError when the clocks skip that time."""
    zone = ZoneInfo(zone_name)
    aware = local.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        raise ValueError("nonexistent local time")
    return utc


def to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """A stored UTC time as the wall-clock time of the named zone, for a datetime-local input."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


class CriterionForm(Form):
    """One row of the rubric. A plain Form: the call form around it carries the CSRF token."""

    title = StringField(_l("Name of the criterion"), filters=[clean_text], validators=[
        DataRequired(_l("Name the criterion, or remove the row.")),
        Length(max=120, message=_l("Use at most 120 characters."))])
    description = TextAreaField(_l("What reviewers look for"), filters=[clean_text], validators=[
        Length(max=2000, message=_l("Use at most 2000 characters."))])
    weight = IntegerField(_l("Weight"), default=1, invalid_value_message=_l("Enter a whole number, like 2."),
                          validators=[InputRequired(REQUIRED),
                                      NumberRange(min=1, max=100, message=_l(
                                          "Give a weight from 1 to 100: a weight of zero would make the "
                                          "criterion count for nothing."))],
                          description=_l("How much this criterion counts against the others."))
    allow_not_applicable = BooleanField(_l("Reviewers may answer “not applicable”"))
    level_1 = StringField(LEVEL_LABELS[0], filters=[clean_text],
                          validators=[Length(max=300, message=_l("Use at most 300 characters."))])
    level_2 = StringField(LEVEL_LABELS[1], filters=[clean_text],
                          validators=[Length(max=300, message=_l("Use at most 300 characters."))])
    level_3 = StringField(LEVEL_LABELS[2], filters=[clean_text],
                          validators=[Length(max=300, message=_l("Use at most 300 characters."))])
    level_4 = StringField(LEVEL_LABELS[3], filters=[clean_text],
                          validators=[Length(max=300, message=_l("Use at most 300 characters."))])
    level_5 = StringField(LEVEL_LABELS[4], filters=[clean_text],
                          validators=[Length(max=300, message=_l("Use at most 300 characters."))])
    remove = SubmitField(_l("Remove"))

    @property
    def level_fields(self):
        return [self[f"level_{level}"] for level in range(1, LEVELS + 1)]

    def is_blank(self) -> bool:
        return not any((field.data or "").strip() for field in (self.title, self.description, *self.level_fields))


class _DeadlinesMixin:
    """Closing time and review deadline, shared by the full form and the form of a published call."""

    closes_at = LocalDateTimeField(_l("Closing time"), validators=[InputRequired(REQUIRED)],
                                   description=_l("In the call's time zone. Proposals are accepted until then."))
    review_deadline = LocalDateTimeField(_l("Review deadline (optional)"), validators=[Optional()],
                                         description=_l("In the call's time zone. When reviewers should have "
                                                        "scored every proposal."))


class CallForm(_DeadlinesMixin, FlaskForm):
    """Everything about a call; used while it is a draft."""

    title = StringField(_l("Title of the call"), filters=[clean_text], validators=[
        DataRequired(REQUIRED), Length(max=160, message=_l("Use at most 160 characters."))])
    description = TextAreaField(_l("Description"), filters=[clean_text], validators=[
        Length(max=20000, message=_l("Use at most 20000 characters."))],
        description=_l("What the call funds and why. You can use Markdown: **bold**, *italic*, lists, "
                       "links and headings starting with ##."))
    themes = CheckboxListField(_l("Themes"), validators=[DataRequired(_l("Choose at least one theme."))])
    min_age = IntegerField(_l("Youngest member's age"), default=13,
                           invalid_value_message=_l("Enter an age in years, like 13."),
                           validators=[InputRequired(REQUIRED), NumberRange(min=13, max=99, message=_l(
                               "Enter an age from 13 to 99: nobody under 13 can join Passerelle."))])
    max_age = IntegerField(_l("Oldest member's age"), default=25,
                           invalid_value_message=_l("Enter an age in years, like 25."),
                           validators=[InputRequired(REQUIRED), NumberRange(min=13, max=99, message=_l(
                               "Enter an age from 13 to 99."))])
    countries = SelectMultipleField(_l("Countries where teams may be based"), validators=[Optional()],
                                    description=_l("Leave empty to welcome teams from every country. Hold Ctrl "
                                                   "(or ⌘ on a Mac) to choose several."))
    min_team_size = IntegerField(_l("Smallest team"), default=1,
                                 invalid_value_message=_l("Enter a number of people, like 2."),
                                 validators=[InputRequired(REQUIRED), NumberRange(min=1, max=50, message=_l(
                                     "Enter a number of people from 1 to 50."))])
    max_team_size = IntegerField(_l("Largest team"), default=10,
                                 invalid_value_message=_l("Enter a number of people, like 8."),
                                 validators=[InputRequired(REQUIRED), NumberRange(min=1, max=50, message=_l(
                                     "Enter a number of people from 1 to 50."))])
    currency = SelectField(_l("Currency"), validate_choice=False, validators=[DataRequired(_l("Choose a currency."))])
    pool_amount = MoneyField(_l("Total pool"), validators=[InputRequired(REQUIRED)],
                             description=_l("All the money this call can award, like 20 000 or 20000.00."))
    max_award = MoneyField(_l("Largest award to one team"), validators=[InputRequired(REQUIRED)],
                           description=_l("Teams cannot ask for more than this."))
    timezone = TimezoneField(_l("Time zone of the dates"),
                             description=_l("Opening and closing times are read and shown in this zone."))
    opens_at = LocalDateTimeField(_l("Opening time"), validators=[InputRequired(REQUIRED)],
                                  description=_l("In the call's time zone. Teams can start proposals from then."))
    min_reviews = IntegerField(_l("Reviews needed per proposal"), default=2,
                               invalid_value_message=_l("Enter a whole number, like 2."),
                               validators=[InputRequired(REQUIRED), NumberRange(min=1, max=10, message=_l(
                                   "Enter a number from 1 to 10."))])
    blind_review = BooleanField(_l("Blind review: reviewers do not see the team's names"))
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=MAX_CRITERIA)
    add_criterion = SubmitField(_l("Add a criterion"))

    def validate_currency(self, field):
        if field.data not in CURRENCIES:
            raise ValidationError(_l("Choose a currency from the list."))

    def validate_max_age(self, field):
        if isinstance(self.min_age.data, int) and isinstance(field.data, int) and field.data < self.min_age.data:
            raise ValidationError(_l("The oldest age cannot be below the youngest age."))

    def validate_max_team_size(self, field):
        if (isinstance(self.min_team_size.data, int) and isinstance(field.data, int)
                and field.data < self.min_team_size.data):
            raise ValidationError(_l("The largest team cannot be smaller than the smallest team."))

    def validate_max_award(self, field):
        if field.data is None:
            return
        if field.data <= 0:
            raise ValidationError(_l("Enter an amount greater than zero."))
        if isinstance(self.pool_amount.data, int) and field.data > self.pool_amount.data:
            raise ValidationError(_l("The largest award cannot be more than the total pool."))

    def validate_criteria(self, field):
        if not field.entries:
            raise ValidationError(_l("Add at least one criterion to the rubric."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._check_times() and valid

    def _check_times(self) -> bool:
        """Read the datetime-local inputs in the chosen zone; the closing time comes after the opening."""
        zone = self.timezone.data if is_timezone(self.timezone.data or "") else None
        self.utc = {}
        if zone is None:
            return False
        valid = True
        for field in (self.opens_at, self.closes_at, self.review_deadline):
            if field.data is None or field.errors:
                continue
            try:
                self.utc[field.name] = to_utc(field.data, zone)
            except (ValueError, OverflowError):
                field.errors = [*field.errors, _l("This time does not exist in %(zone)s: the clocks change "
                                                  "then. Choose another time.", zone=zone)]
                valid = False
        return _check_order(self) and valid


class OpenCallForm(_DeadlinesMixin, FlaskForm):
    """Once a call is published, only its description and deadlines may change; its zone stays."""

    description = CallForm.description

    def __init__(self, *args, zone: str, opens_at: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.opens_at_utc = opens_at

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.utc = {}
        for field in (self.closes_at, self.review_deadline):
            if field.data is None or field.errors:
                continue
            try:
                self.utc[field.name] = to_utc(field.data, self.zone)
            except (ValueError, OverflowError):
                field.errors = [*field.errors, _l("This time does not exist in %(zone)s: the clocks change "
                                                  "then. Choose another time.", zone=self.zone)]
                valid = False
        return _check_order(self) and valid


def _check_order(form) -> bool:
    opens, closes, review = (form.utc.get("opens_at", getattr(form, "opens_at_utc", None)),
                             form.utc.get("closes_at"), form.utc.get("review_deadline"))
    valid = True
    if opens is not None and closes is not None and closes <= opens:
        form.closes_at.errors = [*form.closes_at.errors, _l("The closing time must come after the opening time.")]
        valid = False
    if closes is not None and review is not None and review <= closes:
        form.review_deadline.errors = [*form.review_deadline.errors,
                                       _l("The review deadline must come after the closing time.")]
        valid = False
    return valid


class AddFunderForm(FlaskForm):
    email = EmailField(_l("Email address of the funder to add"),
                       validators=[DataRequired(REQUIRED), *email_validators()])
