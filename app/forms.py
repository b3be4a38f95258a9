"""Form pieces shared by the capabilities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import Email, Length, ValidationError
from wtforms.widgets import CheckboxInput

from app.i18n import is_timezone


class EmailField(StringField):
    """A text field that trims and lowercases; rendered as type=email."""

    input_type = "email"

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.strip().lower()


def email_validators():
    return [Length(max=254, message=_l("Use at most 254 characters.")),
            Email(message=_l("Enter an email address like name@example.org."), check_deliverability=False)]


class TimezoneField(SelectField):
    def pre_validate(self, form):
        if not is_timezone(self.data or ""):
            raise ValidationError(_l("Choose a time zone from the list."))


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes; the form macro wraps them in a fieldset with a legend."""

    option_widget = CheckboxInput()
