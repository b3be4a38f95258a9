from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField
from wtforms.validators import AnyOf, DataRequired, Optional

from app.accounts.models import ROLES


class RoleChangeForm(FlaskForm):
    role = HiddenField(validators=[DataRequired(), AnyOf(ROLES)])
    action = HiddenField(validators=[DataRequired(), AnyOf(("grant", "revoke"))])


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search by name or email"), validators=[Optional()])
