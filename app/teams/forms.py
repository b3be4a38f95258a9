"""Forms for teams and invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import CheckboxListField, EmailField, email_validators

REQUIRED = _l("This field is required.")


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[
        DataRequired(REQUIRED), Length(max=80, message=_l("Use at most 80 characters."))],
        description=_l("Shown publicly. Avoid your surnames or your school's name if you are under 18."))
    description = TextAreaField(_l("What your team is about"), validators=[
        Length(max=1000, message=_l("Use at most 1000 characters."))],
        description=_l("One or two sentences. You can change it later."))
    country = SelectField(_l("Country"), validators=[DataRequired(REQUIRED)])
    languages = CheckboxListField(_l("Working languages"), validators=[
        DataRequired(_l("Choose at least one language."))])


class InviteForm(FlaskForm):
    email = EmailField(_l("Email address of the person to invite"),
                       validators=[DataRequired(REQUIRED), *email_validators()])


class HandOverForm(FlaskForm):
    new_lead = SelectField(_l("New team lead"), coerce=int, validators=[DataRequired(REQUIRED)])
