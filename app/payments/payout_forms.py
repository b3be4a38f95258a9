"""Forms for payees and payments by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import EmailField
from app.i18n import options

REQUIRED = _l("This field is required.")


class PayeeForm(FlaskForm):
    kind = RadioField(_l("Who receives the grant money"), choices=options([
        ("guardian", _l("A parent or guardian of a team member")),
        ("organisation", _l("An adult acting for the team's sponsoring organisation")),
    ]), validators=[InputRequired(_l("Choose who receives the money."))])
    guardian = SelectField(_l("Guardian"), coerce=str, validate_choice=False, validators=[Optional()])
    organisation = StringField(_l("Organisation"), validators=[
        Optional(), Length(max=120, message=_l("Use at most %(max)d characters.", max=120))])
    email = EmailField(_l("Email address of the organisation's contact"), validators=[Optional()],
                       description=_l("They need a Passerelle account; they will open the payment account."))


class ReferenceForm(FlaskForm):
    reference = StringField(_l("Reference"), validators=[
        InputRequired(REQUIRED), Length(max=255, message=_l("Use at most %(max)d characters.", max=255))])
