"""Forms of the comment threads and the notice preferences.

The page's own CSRF input protects the posts (CSRFProtect checks every POST), so the forms carry none of
their own; that lets two comment forms share one page under their own prefix.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

COMMENT_LIMIT = 5000
COMMENT_LABELS = {
    "team": _l("Comment shared with the team"),
    "internal": _l("Internal comment (reviewers and coordinators only)"),
}


class CommentForm(FlaskForm):
    class Meta:
        csrf = False

    body = TextAreaField(_l("Comment"), validators=[
        DataRequired(_l("Write a comment first.")),
        Length(max=COMMENT_LIMIT, message=_l("Use at most %(num)d characters.", num=COMMENT_LIMIT))])


def comment_form(visibility: str, formdata=None) -> CommentForm:
    kwargs = {} if formdata is not None else {"formdata": None}
    form = CommentForm(prefix=f"{visibility}-comment", **kwargs)
    form.body.label.text = COMMENT_LABELS[visibility]
    return form


def preferences_form(kinds, current: dict[str, bool], formdata=None):
    """One checkbox per kind of notice: "Also send me an email"."""

    class PreferencesForm(FlaskForm):
        class Meta:
            csrf = False

    for kind in kinds:
        setattr(PreferencesForm, kind, BooleanField(_l("Also send me an email"), default=current.get(kind, True)))
    kwargs = {} if formdata is not None else {"formdata": None}
    return PreferencesForm(**kwargs)
