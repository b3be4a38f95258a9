"""The team lead's publication form and the public gallery's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, SubmitField, TextAreaField

from app.calls.forms import clean_text
from app.showcase.services import MAX_LABEL, MAX_LINKS, MAX_SUMMARY, MAX_URL


class LinkForm(Form):
    """One public output; the rules (http(s) only, lengths, privacy) are the service's, shown beside each field."""

    label = StringField(_l("Link text"), filters=[clean_text], render_kw={"maxlength": MAX_LABEL})
    # A text input with a URL keyboard: the app's styles cover text inputs, and the server says what is wrong.
    url = StringField(_l("Web address"), filters=[clean_text], description=_l("Starts with https:// or http://."),
                      render_kw={"maxlength": MAX_URL, "inputmode": "url", "spellcheck": "false"})


class PublishForm(FlaskForm):
    summary = TextAreaField(
        _l("Public summary"), filters=[clean_text], render_kw={"rows": 6, "maxlength": MAX_SUMMARY},
        description=_l("A few sentences for anyone on the web: what the project does and for whom. "
                       "Do not write surnames, email addresses or anything that identifies a member."))
    # One spare row past the maximum: a sixth link comes back with a clear message rather than disappearing.
    links = FieldList(FormField(LinkForm), min_entries=MAX_LINKS, max_entries=MAX_LINKS + 1)
    preview = SubmitField(_l("Update the preview"))
    submit = SubmitField(_l("Publish"))

    def number_rows(self) -> PublishForm:
        """Each row's fields get their own label ("Link 2 text"), so every field's name is unique on the page."""
        for number, entry in enumerate(self.links.entries, start=1):
            entry.form.label.label.text = _l("Link %(num)d text", num=number)
            entry.form.url.label.text = _l("Link %(num)d web address", num=number)
        return self

    def link_values(self) -> list[dict]:
        return [{"label": entry.form.label.data or "", "url": entry.form.url.data or ""}
                for entry in self.links.entries]


class GalleryFilters(Form):
    """The gallery's GET filters; an unknown value is ignored rather than refused (old links keep working)."""

    theme = SelectField(_l("Theme"), validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False)
