"""The search form: words and filters, sent by GET so a search is a link that can be shared or bookmarked."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length, ValidationError

from app.calls.forms import THEME_LABELS
from app.calls.models import THEMES
from app.i18n import country_name, options
from app.projects.labels import GRANT_STATE_LABELS
from app.proposals.workflow import STATE_LABELS as PROPOSAL_STATE_LABELS
from app.search import text
from app.search.services import STATES, Filters

STATE_LABELS = {"proposals": PROPOSAL_STATE_LABELS, "projects": GRANT_STATE_LABELS}


def _searchable(form, field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(_l("Type the words you are looking for."))
    if not text.is_searchable(field.data):
        raise ValidationError(_l("Type a word of at least %(num)d letters or digits.", num=text.MIN_LENGTH))


def _offered(form, field) -> None:
    """Only a value the list offers (a hand-edited link may name a call the person cannot filter by)."""
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(_l("Choose one of the options in the list."))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Words to find"), validators=[
        Length(max=text.MAX_LENGTH, message=_l("Use at most 200 characters.")), _searchable],
                    description=_l("Words from a title, a summary or a name; accents and capitals do not matter."))
    call = SelectField(_l("Funding call"), validate_choice=False, validators=[_offered])
    state = SelectField(_l("State"), validate_choice=False, validators=[_offered])
    theme = SelectField(_l("Theme"), validate_choice=False, validators=[_offered])
    country = SelectField(_l("Country"), validate_choice=False, validators=[_offered])

    def prepare(self, kind: str, calls, countries) -> None:
        """Offer the choices for this kind of result: its states, the calls the person may filter by, and the
        countries where there is something to find."""
        self.call.choices = options([("", _l("Any call")), *((str(call.id), call.title) for call in calls)])
        self.state.choices = options([("", _l("Any state")),
                                      *((state, STATE_LABELS[kind][state]) for state in STATES.get(kind, ()))])
        self.theme.choices = options([("", _l("Any theme")), *((theme, THEME_LABELS[theme]) for theme in THEMES)])
        named = sorted(((code, country_name(code)) for code in countries), key=lambda pair: text.fold(pair[1]))
        self.country.choices = options([("", _l("Any country")), *named])

    def filters(self) -> Filters:
        return Filters(call_id=int(self.call.data) if self.call.data else None, state=self.state.data or None,
                       theme=self.theme.data or None, country=self.country.data or None)
