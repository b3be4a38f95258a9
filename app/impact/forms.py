"""The impact report's filter: which call (or all of them) to report on. A GET form: it changes nothing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError

from app.i18n import options

ALL_CALLS = ""


class ImpactFilterForm(FlaskForm):
    class Meta:
        csrf = False

    call = SelectField(_l("Call"), validate_choice=False)

    def validate_call(self, field) -> None:
        if field.data not in self.allowed:
            raise ValidationError(_l("Choose a call from the list."))


def filter_form(calls, everything_label, selected: int | None = None, formdata=None) -> ImpactFilterForm:
    """The call list holds only the calls the person may see; anything else typed into the URL is refused."""
    form = ImpactFilterForm(formdata=formdata)
    form.call.choices = options([(ALL_CALLS, everything_label), *((str(call.id), call.title) for call in calls)])
    form.allowed = {ALL_CALLS, *(str(call.id) for call in calls)}
    if formdata is None:
        form.call.data = str(selected) if selected is not None else ALL_CALLS
    return form
