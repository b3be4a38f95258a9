"""The form a coordinator fills when a bank transfer reaches the pool."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import MoneyField

REQUIRED = _l("This field is required.")


class ContributionForm(FlaskForm):
    amount = MoneyField(_l("Amount received"), currency_field=None, validators=[InputRequired(REQUIRED)])
    contributor_name = StringField(_l("Received from"), validators=[
        InputRequired(REQUIRED), Length(max=120, message=_l("Use at most %(max)d characters.", max=120))],
        description=_l("The person or organisation the bank statement names."))
    reference = StringField(_l("Reference of the transfer"), validators=[
        InputRequired(REQUIRED), Length(max=255, message=_l("Use at most %(max)d characters.", max=255))])
    memo = TextAreaField(_l("Note (optional)"), validators=[
        Length(max=1000, message=_l("Use at most %(max)d characters.", max=1000))])
