"""Forms of the matching round and of mentorships."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REASON_LIMIT = 1000


class OverrideForm(FlaskForm):
    """Lock, ban or swap one proposed match; the choices are the match's own (see views)."""

    action = RadioField(
        _l("What to do"), validate_choice=True, validators=[DataRequired(_l("Choose what to do with this match."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why: the reason is kept with the round.")),
            Length(max=REASON_LIMIT, message=_l("Use at most %(max)d characters.", max=REASON_LIMIT)),
        ],
    )


class ReasonForm(FlaskForm):
    """The reason for ending a mentorship or withdrawing an offer (required), or declining one (optional)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            Optional(),
            Length(max=REASON_LIMIT, message=_l("Use at most %(max)d characters.", max=REASON_LIMIT)),
        ],
    )
