"""Forms for starting, editing and withdrawing proposals and for attaching files.

Amounts, dates and numbers arrive as text and are read here, so that a value the person typed is shown
again exactly as typed, with the problem beside it, whatever else happens on the page.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import AnyOf, InputRequired, Length

from app.forms import CheckboxListField
from app.i18n import options
from app.money import AmountError, amount_for_input, parse_amount
from app.proposals.labels import ATTACHMENT_KIND_LABELS, BUDGET_CATEGORY_LABELS
from app.proposals.models import ATTACHMENT_KINDS, BUDGET_CATEGORIES
from app.proposals.services import BudgetLineData, MilestoneData

# Whole numbers with optional group separators: 1200, 1 200, 1,200, 1’200.
_COUNT = re.compile(r"\d{1,3}(?:[ ,'’\u00a0\u202f]\d{3})+|\d+")


def _optional_int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class DateInputField(StringField):
    """A date typed or picked as YYYY-MM-DD; the text stays as typed so it can be shown again."""

    input_type = "date"


def parse_amount_text(text: str | None, currency: str) -> int:
    """Minor units for the text, 0 when blank; raises ValueError with a message for the person."""
    try:
        return parse_amount(text, currency) or 0
    except AmountError as error:
        raise ValueError(error.message) from None


def amount_text(minor: int | None, currency: str) -> str:
    """An amount as a person types it (1500, 1500.50); blank while there is nothing yet."""
    return amount_for_input(minor, currency) if minor else ""


class BudgetLineForm(Form):
    category = SelectField(_l("Category"), choices=options((c, BUDGET_CATEGORY_LABELS[c]) for c in BUDGET_CATEGORIES),
                           default="equipment")
    description = StringField(_l("What it pays for"), validators=[
        Length(max=200, message=_l("Use at most 200 characters."))])
    amount = StringField(_l("Amount"))

    def is_blank(self) -> bool:
        return not (self.description.data or "").strip() and not (self.amount.data or "").strip()


class MilestoneForm(Form):
    title = StringField(_l("Milestone"), validators=[Length(max=160, message=_l("Use at most 160 characters."))])
    deliverable = TextAreaField(_l("What you will deliver"), validators=[
        Length(max=2000, message=_l("Use at most 2000 characters."))])
    due_date = DateInputField(_l("Due date"))
    tranche_amount = StringField(_l("Tranche paid when it is approved"))

    def is_blank(self) -> bool:
        return not any((field.data or "").strip()
                       for field in (self.title, self.deliverable, self.due_date, self.tranche_amount))


class ProposalForm(FlaskForm):
    lock_version = HiddenField()
    title = StringField(_l("Project title"), validators=[Length(max=160, message=_l("Use at most 160 characters."))])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=1000, message=_l("Use at most 1000 characters."))],
                            description=_l("Two or three sentences that say what you will make and for whom."))
    problem = TextAreaField(_l("The problem"), validators=[
        Length(max=5000, message=_l("Use at most 5000 characters."))],
        description=_l("What is happening that your project answers?"))
    approach = TextAreaField(_l("Your approach"), validators=[
        Length(max=5000, message=_l("Use at most 5000 characters."))],
        description=_l("What you will do, step by step, and why it will work."))
    audience = TextAreaField(_l("Audience"), validators=[Length(max=2000, message=_l("Use at most 2000 characters."))],
                             description=_l("Who you want to reach: their age, where they are, what they use."))
    expected_reach = StringField(_l("Expected reach"),
                                 description=_l("About how many people you expect to reach, as a whole number."))
    themes = CheckboxListField(_l("Themes"))
    amount_requested = StringField(_l("Amount requested"))
    budget_lines = FieldList(FormField(BudgetLineForm), min_entries=0)
    milestones = FieldList(FormField(MilestoneForm), min_entries=0)

    def read_values(self, currency: str) -> tuple[dict, dict[str, str]]:
        """The values that can be stored, and a message for each field that cannot be read.

        Run after validate(): a field with a validation error is left out so its stored value stays.
        """
        values: dict = {}
        problems: dict[str, str] = {}
        for name in ("title", "summary", "problem", "approach", "audience"):
            field = getattr(self, name)
            if not field.errors:
                values[name] = (field.data or "").strip()
        reach = (self.expected_reach.data or "").strip()
        if not reach:
            values["expected_reach"] = None
        elif _COUNT.fullmatch(reach):
            values["expected_reach"] = int(re.sub(r"\D", "", reach))
        else:
            problems["expected_reach"] = _l("Enter a whole number, like 500.")
        if not self.themes.errors:
            values["themes"] = list(self.themes.data or [])
        try:
            values["amount_requested"] = parse_amount_text(self.amount_requested.data, currency)
        except ValueError as error:
            problems["amount_requested"] = error.args[0]
        lines, line_problems = self._read_budget_lines(currency)
        problems.update(line_problems)
        if not line_problems and not any(e.errors for e in self.budget_lines):
            values["budget_lines"] = lines
        milestones, milestone_problems = self._read_milestones(currency)
        problems.update(milestone_problems)
        if not milestone_problems and not any(e.errors for e in self.milestones):
            values["milestones"] = milestones
        return values, problems

    def _read_budget_lines(self, currency: str) -> tuple[list[BudgetLineData], dict[str, str]]:
        lines, problems = [], {}
        for entry in self.budget_lines:
            row = entry.form
            if row.is_blank():
                continue
            try:
                amount = parse_amount_text(row.amount.data, currency)
            except ValueError as error:
                problems[row.amount.id] = error.args[0]
                continue
            category = row.category.data if row.category.data in BUDGET_CATEGORIES else "other"
            lines.append(BudgetLineData(category, (row.description.data or "").strip(), amount))
        return lines, problems

    def _read_milestones(self, currency: str) -> tuple[list[MilestoneData], dict[str, str]]:
        milestones, problems = [], {}
        for entry in self.milestones:
            row = entry.form
            if row.is_blank():
                continue
            due = (row.due_date.data or "").strip()
            due_date = None
            if not due:
                problems[row.due_date.id] = _l("Enter a due date, so this milestone can be saved.")
            else:
                try:
                    due_date = date.fromisoformat(due)
                except ValueError:
                    problems[row.due_date.id] = _l("Enter a date like 2027-03-31 (year, month, day).")
            try:
                tranche = parse_amount_text(row.tranche_amount.data, currency)
            except ValueError as error:
                problems[row.tranche_amount.id] = error.args[0]
                continue
            if due_date is not None:
                milestones.append(MilestoneData((row.title.data or "").strip(), (row.deliverable.data or "").strip(),
                                                due_date, tranche))
        return milestones, problems


def without_row(formdata: MultiDict, prefix: str, index: int) -> MultiDict:
    """The posted data with one row of a list taken out and the rows after it moved up."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.+)$")
    result = MultiDict()
    for key, value in formdata.items(multi=True):
        match = pattern.match(key)
        if match:
            position = int(match.group(1))
            if position == index:
                continue
            if position > index:
                key = f"{prefix}-{position - 1}-{match.group(2)}"
        result.add(key, value)
    return result


class StartProposalForm(FlaskForm):
    team = SelectField(_l("Team"), coerce=_optional_int, validate_choice=False,
                       validators=[InputRequired(_l("Choose the team that proposes the project."))])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[
        Length(max=1000, message=_l("Use at most 1000 characters."))],
        description=_l("Your team and the audit trail will show it."))


class AttachmentForm(FlaskForm):
    kind = SelectField(_l("Kind of file"), choices=options((k, ATTACHMENT_KIND_LABELS[k]) for k in ATTACHMENT_KINDS),
                       validators=[InputRequired(_l("Choose what kind of file this is."))])
    file = FileField(_l("File"))
    sensitive = BooleanField(
        _l("This file is sensitive"),
        description=_l("Tick it when the file quotes extremist material, shows the faces of minors or holds anything "
                       "else that must not travel further. People then see a warning before opening it, and only "
                       "your team, its mentors, coordinators and assigned reviewers can open it."))


class SensitivityForm(FlaskForm):
    """Mark a file sensitive, or lift the mark: the button sends the new value."""

    sensitive = HiddenField(validators=[AnyOf(("yes", "no"))])
    next = HiddenField()
