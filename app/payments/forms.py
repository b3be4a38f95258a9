"""The form a funder fills to give to a call's pool through Stripe Checkout."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from app.forms import MoneyField


class ContributeForm(FlaskForm):
    # The view sets amount.currency to the call's, which says how many decimals are allowed.
    amount = MoneyField(_l("Amount to give"), currency_field=None,
                        validators=[InputRequired(_l("This field is required."))])
