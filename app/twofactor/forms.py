"""Forms for the second sign-in step, setting two-factor sign-in up, turning it off and new recovery codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.accounts.forms import REQUIRED


def _code_field(label, description):
    return StringField(label, validators=[DataRequired(REQUIRED), Length(max=32)], description=description)


class SignInCodeForm(FlaskForm):
    code = _code_field(_l("Code"), _l("The 6-digit code your authenticator app shows now, or one of your "
                                      "recovery codes."))


class SetupForm(FlaskForm):
    code = _code_field(_l("Code from the app"), _l("Once the app shows Passerelle, enter the 6-digit code it "
                                                   "shows to check that everything works."))


class DisableForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)])
    code = _code_field(_l("Code"), _l("The 6-digit code your authenticator app shows now, or one of your "
                                      "recovery codes."))


class RenewCodesForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)])
