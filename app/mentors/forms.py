"""Forms for the mentor's profile and conflicts, the coordinator's vetting record and a team's needs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

from app.calls.forms import clean_text
from app.forms import CheckboxListField, TimezoneField
from app.mentoring.models import MAX_CAPACITY
from app.mentors.services import AVAILABILITY_MAX, BIO_MAX, NOTE_MAX, REASON_MAX, capacity_message

REQUIRED = _l("This field is required.")
NOT_IN_LIST = _l("Choose only areas from the list.")
DATE_FORMAT = _l("Enter a date like 2027-03-31 (year, month, day).")


def _stop_if_unreadable(_form, field):
    """A value that could not be read already has its message; the range check would only repeat it."""
    if field.process_errors:
        raise StopValidation()


class MentorProfileForm(FlaskForm):
    expertise = CheckboxListField(_l("Expertise"), invalid_choice_message=NOT_IN_LIST,
                                  validators=[DataRequired(_l("Choose at least one area of expertise."))],
                                  description=_l("What you can help teams with."))
    languages = CheckboxListField(_l("Working languages"),
                                  invalid_choice_message=_l("Choose only languages from the list."),
                                  validators=[DataRequired(_l("Choose at least one language."))])
    timezone = TimezoneField(_l("Time zone"), description=_l("Teams in nearby time zones find meeting times more "
                                                             "easily."))
    capacity = IntegerField(_l("How many teams at once"), default=1,
                            invalid_value_message=_l("Enter a whole number, like 2."),
                            validators=[InputRequired(REQUIRED), _stop_if_unreadable,
                                        NumberRange(min=1, max=MAX_CAPACITY, message=capacity_message())],
                            description=_l("From 1 to %(max)d. Most volunteers mentor one or two teams.",
                                           max=MAX_CAPACITY))
    accepting_teams = BooleanField(_l("I am accepting new teams"), default=True,
                                   description=_l("Untick it to pause: you keep your profile and your teams, "
                                                  "and no new team is matched with you."))
    availability = StringField(_l("Availability"), filters=[clean_text], validators=[
        Length(max=AVAILABILITY_MAX, message=_l("Use at most 200 characters."))],
        description=_l("For example: weekday evenings, or Saturday mornings."))
    bio = TextAreaField(_l("Short bio"), filters=[clean_text], validators=[
        Length(max=BIO_MAX, message=_l("Use at most 1000 characters."))],
        description=_l("A few sentences for the teams and coordinators: what you do and what you like to "
                       "help with. You can use Markdown: **bold**, *italic*, lists and links."))
    preferred_themes = CheckboxListField(_l("Themes you would like to work on (optional)"),
                                         invalid_choice_message=_l("Choose only themes from the list."))
    accept_conduct = BooleanField(_l("I have read and accept the mentor code of conduct"), validators=[
        DataRequired(_l("Accept the mentor code of conduct to mentor teams."))])


class ConflictForm(FlaskForm):
    team = StringField(_l("Team name"), filters=[clean_text], validators=[
        DataRequired(REQUIRED), Length(max=300, message=_l("Use at most 300 characters."))],
        description=_l("Type the team's name exactly as it is written on its page, or paste the address of "
                       "the team's page."))
    reason = TextAreaField(_l("Why you should not mentor this team"), filters=[clean_text], validators=[
        DataRequired(_l("Say briefly why, so coordinators understand.")),
        Length(max=REASON_MAX, message=_l("Use at most 500 characters."))],
        description=_l("Only coordinators read it. For example: a member of the team is my niece."))


class VettingForm(FlaskForm):
    kind = SelectField(_l("Kind of check"), invalid_choice_message=_l("Choose the kind of check from the list."),
                       validators=[DataRequired(_l("Choose the kind of check from the list."))])
    checked_on = DateField(_l("Date of the check"), invalid_value_message=DATE_FORMAT,
                           validators=[InputRequired(REQUIRED)],
                           description=_l("The day the check was done, as written on the document."))
    expires_on = DateField(_l("Expiry date"), invalid_value_message=DATE_FORMAT,
                           validators=[InputRequired(REQUIRED)],
                           description=_l("After this day the mentor is no longer vetted. Many organisations "
                                          "renew checks every three years."))
    note = TextAreaField(_l("Note (optional)"), filters=[clean_text], validators=[
        Length(max=NOTE_MAX, message=_l("Use at most 1000 characters."))],
        description=_l("For example the reference number of the document. Never copy its content here."))


class TeamNeedsForm(FlaskForm):
    needs = CheckboxListField(_l("What the team needs help with"), invalid_choice_message=NOT_IN_LIST,
                              validators=[DataRequired(_l("Choose at least one area where the team needs help."))])
    timezone = TimezoneField(_l("The team's time zone"),
                             description=_l("Where most of the team lives, so a mentor can meet at times that "
                                            "suit you."))
    note = TextAreaField(_l("Anything else a mentor should know (optional)"), filters=[clean_text], validators=[
        Length(max=NOTE_MAX, message=_l("Use at most 1000 characters."))],
        description=_l("For example: we need help to edit our first video before June."))
