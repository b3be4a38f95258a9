"""Forms of project delivery: the agreement, evidence, feedback, decisions and due-date changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.i18n import options
from app.projects.agreements import BODY_LIMIT
from app.projects.services import FIGURE_LIMIT, MAX_LINKS, NOTE_LIMIT, REPORT_LIMIT

WHOLE_NUMBER = _l("Enter a whole number, 0 or more.")


def _within_limits(form, field):
    """A number too small or too large; a value that is no number at all already has its message."""
    if field.data is not None and not 0 <= field.data <= FIGURE_LIMIT:
        raise ValidationError(WHOLE_NUMBER)


def _figure(label, description):
    return IntegerField(label, description=description, default=0, invalid_value_message=WHOLE_NUMBER,
                        validators=[InputRequired(WHOLE_NUMBER), _within_limits])


class AgreementTemplateForm(FlaskForm):
    body = TextAreaField(
        _l("Agreement text"),
        description=_l("Markdown. Teams accept this text; a change makes a new version, and agreements already "
                       "accepted keep the text they accepted."),
        validators=[DataRequired(_l("Write the agreement's text.")),
                    Length(max=BODY_LIMIT, message=_l("Use at most %(max)d characters.", max=BODY_LIMIT))],
    )
    milestone_approver = SelectField(
        _l("Who approves the milestones"),
        choices=options([("coordinator", _l("The programme's coordinators")),
                         ("funder", _l("The call's funders (coordinators can too)"))]),
        validate_choice=True,
    )


class AcceptAgreementForm(FlaskForm):
    version = HiddenField()
    confirm = BooleanField(_l("I have read the agreement and accept it on behalf of my team."))


class CountersignForm(FlaskForm):
    confirm = BooleanField(_l("I have read the agreement and countersign it on the team's behalf."))


class EvidenceForm(FlaskForm):
    report = TextAreaField(
        _l("Milestone report"),
        description=_l("What the team delivered for this milestone and how it went. Markdown is allowed."),
        validators=[DataRequired(_l("Describe what the team delivered for this milestone.")),
                    Length(max=REPORT_LIMIT, message=_l("Use at most %(max)d characters.", max=REPORT_LIMIT))],
    )
    links = TextAreaField(
        _l("Links (optional)"),
        description=_l("One web address per line, at most %(count)d: videos, articles, the project's site.",
                       count=MAX_LINKS),
    )
    people_reached = _figure(_l("People reached"), _l("How many people saw, heard or took part, as best you know."))
    content_pieces = _figure(_l("Pieces of content"), _l("Videos, posts, articles, podcasts published."))
    events_held = _figure(_l("Events held"), _l("Workshops, screenings, meetings held."))
    files = MultipleFileField(_l("Files (optional)"))
    sensitive = BooleanField(
        _l("These files are sensitive"),
        description=_l("Tick it when a file quotes extremist material, shows the faces of minors or holds anything "
                       "else that must not travel further. People then see a warning before opening it, and only "
                       "your team, its mentors and coordinators can open it."))


class FeedbackForm(FlaskForm):
    verdict = RadioField(
        _l("Your feedback"),
        choices=options([("sign_off", _l("I sign off: the evidence shows the milestone is delivered")),
                         ("concerns", _l("I have concerns"))]),
        validate_choice=True, validators=[DataRequired(_l("Choose whether you sign off or raise concerns."))],
    )
    body = TextAreaField(
        _l("Comment"), description=_l("Required when you raise concerns."),
        validators=[Optional(), Length(max=NOTE_LIMIT, message=_l("Use at most %(max)d characters.",
                                                                  max=NOTE_LIMIT))],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=options([("approve", _l("Approve: the tranche becomes payable")),
                         ("request_changes", _l("Ask the team for changes"))]),
        validate_choice=True, validators=[DataRequired(_l("Choose a decision."))],
    )
    reason = TextAreaField(
        _l("What needs to change"), description=_l("Required when you ask for changes; the team reads it."),
        validators=[Optional(), Length(max=NOTE_LIMIT, message=_l("Use at most %(max)d characters.",
                                                                  max=NOTE_LIMIT))],
    )


class DueDateForm(FlaskForm):
    proposed_date = DateField(_l("New due date"), validators=[Optional()],
                              render_kw={"autocomplete": "off"})
    reason = TextAreaField(
        _l("Why it needs to move"),
        validators=[DataRequired(_l("Explain why the date needs to move.")),
                    Length(max=NOTE_LIMIT, message=_l("Use at most %(max)d characters.", max=NOTE_LIMIT))],
    )


class DueDateDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Answer"),
        choices=options([("accept", _l("Move the due date")), ("refuse", _l("Keep the current due date"))]),
        validate_choice=True, validators=[DataRequired(_l("Choose an answer."))],
    )
    note = TextAreaField(
        _l("Note to the team"), description=_l("Required when the date stays."),
        validators=[Optional(), Length(max=NOTE_LIMIT, message=_l("Use at most %(max)d characters.",
                                                                  max=NOTE_LIMIT))],
    )
