"""Forms to report a concern and to close a report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.calls.forms import clean_text
from app.i18n import options
from app.safety.labels import CATEGORY_LABELS
from app.safety.models import CATEGORIES

CHOOSE = _l("Choose the kind of concern closest to what you saw.")
DETAIL_LIMIT = 2000
RESOLUTION_LIMIT = 2000


class ReportForm(FlaskForm):
    subject = HiddenField()
    category = RadioField(_l("Kind of concern"), choices=options(CATEGORY_LABELS.items()),
                          validate_choice=False, validators=[DataRequired(CHOOSE), AnyOf(CATEGORIES, message=CHOOSE)],
                          description=_l("Choose the closest. The most serious concerns are read first."))
    detail = TextAreaField(_l("Anything the coordinators should know (optional)"), filters=[clean_text],
                           validators=[Optional(), Length(max=DETAIL_LIMIT, message=_l(
                               "Use at most %(num)d characters.", num=DETAIL_LIMIT))])


class CloseForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution note"), filters=[clean_text], validators=[
        DataRequired(_l("Say what was done, for the record.")),
        Length(max=RESOLUTION_LIMIT, message=_l("Use at most %(num)d characters.", num=RESOLUTION_LIMIT))],
        description=_l("What you checked and what was done. Only coordinators read this."))
