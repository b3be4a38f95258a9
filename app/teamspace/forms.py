"""Forms of the team's space: a new thread, a reply, and a mentor's note of a meeting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from app.calls.forms import clean_text

TITLE_LIMIT = 120
MESSAGE_LIMIT = 5000
NOTE_LIMIT = 5000
MIN_MINUTES, MAX_MINUTES = 5, 480

MARKDOWN_HELP = _l("You can use Markdown: **bold**, *italic*, lists and links.")
MINUTES_MESSAGE = _l("Give a length from %(min)d to %(max)d minutes (8 hours).", min=MIN_MINUTES, max=MAX_MINUTES)


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(num)d characters.", num=limit))


class ThreadForm(FlaskForm):
    title = StringField(_l("Subject of the thread"), filters=[clean_text], validators=[
        DataRequired(_l("Give the thread a subject.")), _at_most(TITLE_LIMIT)])
    body = TextAreaField(_l("First message"), filters=[clean_text], validators=[
        DataRequired(_l("Write the first message.")), _at_most(MESSAGE_LIMIT)], description=MARKDOWN_HELP)


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), filters=[clean_text], validators=[
        DataRequired(_l("Write a message first.")), _at_most(MESSAGE_LIMIT)], description=MARKDOWN_HELP)


class MinutesField(IntegerField):
    """A whole number of minutes; blank or not a number is left empty so that one message says what to type."""

    def process_formdata(self, valuelist):
        try:
            self.data = int((valuelist[0] if valuelist else "").strip() or "x")
        except ValueError:
            self.data = None


class MeetingDateField(DateField):
    """A date as the browser's date input sends it; blank or unreadable is left empty, for the same reason."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


def _date_given(form, field):
    if field.data is None:
        raise StopValidation(_l("Enter the date of the meeting, like 2027-03-15."))


class MeetingForm(FlaskForm):
    met_on = MeetingDateField(_l("Date of the meeting"), validators=[_date_given],
                              description=_l("Today or earlier."))
    minutes = MinutesField(_l("Length in minutes"), validators=[
        NumberRange(min=MIN_MINUTES, max=MAX_MINUTES, message=MINUTES_MESSAGE)],
        description=_l("From %(min)d to %(max)d.", min=MIN_MINUTES, max=MAX_MINUTES))
    topics = TextAreaField(_l("Topics discussed"), filters=[clean_text], validators=[
        DataRequired(_l("Say what you talked about.")), _at_most(NOTE_LIMIT)], description=MARKDOWN_HELP)
    next_steps = TextAreaField(_l("Next steps (optional)"), filters=[clean_text],
                               validators=[Optional(), _at_most(NOTE_LIMIT)],
                               description=_l("What the team and you agreed to do before the next meeting."))
