"""The dashboard's filters: a GET form (the filtered page can be bookmarked and shared), labelled selects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from app.calls.forms import THEME_LABELS
from app.calls.models import THEMES
from app.dashboards.queries import Filters
from app.i18n import country_name, options


class DashboardFilterForm(FlaskForm):
    """Sent with GET: filtering only changes what is shown."""

    class Meta:
        csrf = False

    call = SelectField(_l("Call"), default="", invalid_choice_message=_l("Choose a call from the list."))
    theme = SelectField(_l("Theme"), default="", invalid_choice_message=_l("Choose a theme from the list."))
    country = SelectField(_l("Country"), default="", invalid_choice_message=_l("Choose a country from the list."))

    def offer(self, calls: list[tuple[int, str]], countries: list[str]) -> DashboardFilterForm:
        """Fill the lists: the calls the person may follow, every theme, the countries teams come from."""
        self.call.choices = options([("", _l("All calls"))] + [(str(call_id), title) for call_id, title in calls])
        self.theme.choices = options([("", _l("All themes"))] + [(theme, THEME_LABELS[theme]) for theme in THEMES])
        named = sorted(((code, country_name(code)) for code in countries), key=lambda pair: pair[1])
        self.country.choices = options([("", _l("All countries"))] + named)
        return self

    def filters(self) -> Filters:
        """The filters to apply: a value not in its list is set aside (its message shows beside the field)."""
        self.validate()

        def chosen(field) -> str | None:
            return field.data or None if not field.errors else None

        call = chosen(self.call)
        return Filters(call_id=int(call) if call else None, theme=chosen(self.theme), country=chosen(self.country))
