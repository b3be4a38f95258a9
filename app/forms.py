"""Form pieces shared by the capabilities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import Email, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput

from app.i18n import is_timezone
from app.money import AmountError, amount_for_input, parse_amount


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


class MoneyField(StringField):
    """An amount typed as text ('1 500,50'); once validated, data is integer minor units (cents).

    The currency, which says how many decimals are allowed, is read from the sibling field named
    `currency_field`, or fixed with `currency`. What was typed is shown again when the form comes back.
    """

    def __init__(self, label=None, validators=None, currency_field: str | None = "currency",
                 currency: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.currency_field = currency_field
        self.currency = currency

    def _currency(self) -> str | None:
        if self.currency:
            return self.currency
        sibling = getattr(self._form, self.currency_field, None) if self.currency_field and self._form else None
        return sibling.data if sibling is not None and isinstance(sibling.data, str) else None

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None  # text until pre_validate reads it

    def pre_validate(self, form):
        if not isinstance(self.data, str):
            return
        try:
            self.data = parse_amount(self.data, self._currency())
        except AmountError as error:
            self.data = None
            raise StopValidation(str(error)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return amount_for_input(self.data, self._currency()) if isinstance(self.data, int) else ""
