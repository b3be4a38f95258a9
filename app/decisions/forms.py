"""Forms of the ranking page: the quality floor, one decision per proposal, and the bulk decision.

The page's own CSRF input protects the posts (CSRFProtect checks every POST), so the forms carry none of
their own; what is required, and the rule about departing from the suggestion, is checked by the service,
which names the field to fix.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from app.decisions.services import DECISION_LABELS, DEFAULT_FLOOR, JUSTIFICATION_LIMIT, floor_text, parse_floor
from app.forms import MoneyField
from app.i18n import options


def _length():
    return Length(max=JUSTIFICATION_LIMIT, message=_l("Use at most %(num)d characters.", num=JUSTIFICATION_LIMIT))


def _floor_value(form, field):
    try:
        field.value = parse_floor(field.data)
    except ValueError as error:
        field.value = DEFAULT_FLOOR
        raise ValidationError(str(error)) from None


class FloorForm(FlaskForm):
    """Sent with GET: changing the floor only changes the suggestion shown, so the page can be shared."""

    class Meta:
        csrf = False

    floor = StringField(_l("Quality floor"), validators=[_floor_value], default=floor_text(DEFAULT_FLOOR),
                        description=_l("The lowest calibrated score, from 1 to 5, that the suggestion funds."))

    @property
    def value(self) -> float:
        return getattr(self.floor, "value", DEFAULT_FLOOR)


class DecisionForm(FlaskForm):
    class Meta:
        csrf = False

    decision = RadioField(_l("Decision"), choices=options(DECISION_LABELS.items()), validate_choice=False)
    amount = MoneyField(_l("Amount to award"), currency_field=None,
                        description=_l("Only for an award. It starts at the amount requested; a smaller award "
                                       "scales every tranche down in proportion."))
    justification = TextAreaField(_l("Justification"), validators=[_length()],
                                  description=_l("The team reads this on their proposal's page and in an email."))
    departure_reason = TextAreaField(
        _l("Reason for departing from the suggestion"), validators=[_length()],
        description=_l("Required only when the decision differs from the suggested award set (another amount, "
                       "an award it does not suggest, or turning down one it funds). It is kept in the "
                       "proposal's history, which the team can read."))
    floor = HiddenField()


class BulkForm(FlaskForm):
    class Meta:
        csrf = False

    action = RadioField(_l("Decision for the selected proposals"), choices=options(DECISION_LABELS.items()),
                        validate_choice=False,
                        description=_l("An award gives each selected proposal the amount it requested."))
    justification = TextAreaField(_l("Justification for every selected proposal"), validators=[_length()],
                                  description=_l("Each team reads this on their proposal's page and in an email."))
    departure_reason = TextAreaField(
        _l("Reason for departing from the suggestion, where a decision does"), validators=[_length()],
        description=_l("Recorded for each selected decision that differs from the suggested award set, in that "
                       "proposal's history, which its team can read."))
    floor = HiddenField()
