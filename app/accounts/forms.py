"""Forms for signing up, signing in and managing one's account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.forms import EmailField, TimezoneField, email_validators
from app.i18n import options

REQUIRED = _l("This field is required.")

REGION_CHOICES = options([("", _l("None of these")), ("CA-QC", _l("Québec (Canada)"))])


def _region_help():
    return _l("Choose one only if you live there: the rules on consent differ there.")


class ProfileFieldsMixin:
    display_name = StringField(_l("Your name"), validators=[
        DataRequired(REQUIRED), Length(max=80, message=_l("Use at most 80 characters."))],
        description=_l("Your teammates see your full name; everyone else sees only your first name."))
    country = SelectField(_l("Country where you live"), validators=[DataRequired(REQUIRED)])
    region = SelectField(_l("Province or region"), choices=REGION_CHOICES, validators=[Optional()],
                         description=_region_help())
    locale = SelectField(_l("Preferred language"), choices=options([("en", "English"), ("fr", "Français")]))
    timezone = TimezoneField(_l("Time zone"), description=_l("Dates and deadlines are shown in this time zone."))

    def validate_region(self, field):
        if field.data and not field.data.startswith(f"{self.country.data}-"):
            raise ValidationError(_l("This region is not in the country you chose."))


class SignUpForm(ProfileFieldsMixin, FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), *email_validators()])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters. A few unrelated words work well."))
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired(REQUIRED)],
                           description=_l("Used only to apply the rules that protect young people."))
    account_type = RadioField(_l("I am joining as"), default="youth", choices=options([
        ("youth", _l("A young person who wants to join or start a project team")),
        ("guardian", _l("A parent, guardian or sponsoring organisation")),
    ]), validators=[DataRequired(REQUIRED)])
    guardian_email = EmailField(_l("Your parent or guardian's email address"),
                                validators=[Optional(), *email_validators()],
                                description=_l("Needed if you are too young to agree on your own where you live "
                                               "(for example under 14 in Québec, 15 in France). We ask them "
                                               "to agree before you can submit anything."))
    accept_conduct = BooleanField(_l("I have read and accept the code of conduct"),
                                  validators=[DataRequired(_l("You must accept the code of conduct to join."))])


class SignInForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), *email_validators()])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), *email_validators()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters. A few unrelated words work well."))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters. A few unrelated words work well."))


class ProfileForm(ProfileFieldsMixin, FlaskForm):
    pass


class ResendConsentForm(FlaskForm):
    guardian_email = EmailField(_l("Guardian's email address"), validators=[Optional(), *email_validators()],
                                description=_l("Change it if the first address was wrong."))


class ConsentForm(FlaskForm):
    decision = RadioField(_l("Your decision"), choices=options([
        ("give", _l("I give my consent")), ("refuse", _l("I do not give my consent")),
    ]), validators=[DataRequired(_l("Choose whether you give your consent."))])
    confirm_guardian = BooleanField(_l("I am this young person's parent or legal guardian, or I represent "
                                       "their sponsoring organisation"),
                                    validators=[DataRequired(_l("Confirm that you are their guardian."))])
    reason = TextAreaField(_l("Anything you want the young person or the coordinators to know (optional)"),
                           validators=[Optional(), Length(max=1000, message=_l("Use at most 1000 characters."))])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""
