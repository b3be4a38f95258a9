"""Forms for downloading one's data, deleting one's account and a guardian's erasure request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.calls.forms import clean_text

NOTE_LIMIT = 2000


def _at_most(limit: int):
    return Length(max=limit, message=_l("Use at most %(num)d characters.", num=limit))


class ExportForm(FlaskForm):
    """Only the CSRF token: the download is a POST because it is written to the audit log."""


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to confirm."))],
                             description=_l("The password you sign in with, to show it is really you."))
    understood = BooleanField(_l("I understand that my account is deleted for good and cannot be restored"),
                              validators=[DataRequired(_l("Tick this box to confirm."))])


class ErasureRequestForm(FlaskForm):
    reason = TextAreaField(_l("Why you ask for this"), filters=[clean_text], validators=[
        DataRequired(_l("Say why, so the coordinators can act on it.")), _at_most(NOTE_LIMIT)],
        description=_l("Only the programme's coordinators read this."))


class CarryOutForm(FlaskForm):
    confirm = BooleanField(_l("I have checked this request: erase this young person's data"),
                           validators=[DataRequired(_l("Tick this box to confirm."))])


class RefuseForm(FlaskForm):
    note = TextAreaField(_l("Why the request is refused"), filters=[clean_text], validators=[
        DataRequired(_l("Say why: the guardian is sent this note.")), _at_most(NOTE_LIMIT)],
        description=_l("The guardian who asked reads this note."))
