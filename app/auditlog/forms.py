"""The audit log's filter: a GET form, so a filtered view can be bookmarked, shared and exported as it is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField
from wtforms.validators import Optional, ValidationError

from app.auditlog.labels import action_label, subject_label
from app.auditlog.queries import Filters
from app.i18n import options

ACTOR_LIMIT = 100
RECORD_NUMBER = _l("Enter a record number, 1 or more.")
LARGEST_ID = 2**31 - 1  # the id columns are 32-bit integers


class AuditFilterForm(FlaskForm):
    """Sent with GET: filtering changes only what is shown."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), default="", invalid_choice_message=_l("Choose an action from the list."))
    actor = SearchField(_l("Who (name or email address)"), validators=[Optional()],
                        description=_l("Part of the name or email address of the person who acted."))
    subject_type = SelectField(_l("About"), default="", invalid_choice_message=_l("Choose a kind of record from "
                                                                                  "the list."))
    subject_id = IntegerField(_l("Record number"), validators=[Optional()], invalid_value_message=RECORD_NUMBER)
    since = DateField(_l("First day"), validators=[Optional()], format="%Y-%m-%d",
                      description=_l("Entries from this day on, included."))
    until = DateField(_l("Last day"), validators=[Optional()], format="%Y-%m-%d",
                      description=_l("Entries up to this day, included."))

    def __init__(self, *args, codes, tables, **kwargs):
        super().__init__(*args, **kwargs)
        actions = sorted(codes, key=lambda code: action_label(code).casefold())
        self.action.choices = options([("", _l("All actions")), *((code, action_label(code)) for code in actions)])
        subjects = sorted(tables, key=lambda table: subject_label(table).casefold())
        self.subject_type.choices = options([("", _l("Any record")),
                                             *((table, subject_label(table)) for table in subjects)])

    def validate_actor(self, field) -> None:
        if field.data and len(field.data) > ACTOR_LIMIT:
            raise ValidationError(_l("Use at most %(max)d characters.", max=ACTOR_LIMIT))

    def validate_subject_id(self, field) -> None:
        if field.data is not None and not 1 <= field.data <= LARGEST_ID:
            raise ValidationError(RECORD_NUMBER)

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day cannot come before the first."))

    def filters(self, timezone: str) -> Filters:
        """The filters to apply; a value with a problem is set aside (its message shows beside the field)."""
        self.validate()

        def chosen(field):
            return None if field.errors or field.data in (None, "") else field.data

        return Filters(action=chosen(self.action), actor=(chosen(self.actor) or "").strip() or None,
                       subject_type=chosen(self.subject_type), subject_id=chosen(self.subject_id),
                       since=chosen(self.since), until=chosen(self.until), timezone=timezone)
