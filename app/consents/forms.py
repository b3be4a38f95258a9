"""Forms for giving and withdrawing consent, and the purposes a guardian ticks when answering a request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from app.accounts.forms import ConsentForm
from app.calls.forms import clean_text
from app.consents.wording import PURPOSE_LABELS

REASON_LIMIT = 1000


class GiveForm(FlaskForm):
    """A button: the wording is on the page, right above it."""


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why (optional)"), filters=[clean_text], validators=[
        Optional(), Length(max=REASON_LIMIT, message=_l("Use at most %(num)d characters.", num=REASON_LIMIT))],
        description=_l("The coordinators read it; nobody else does."))


class GuardianAnswerForm(ConsentForm):
    """The answer to a consent request: yes to taking part (needed for any yes), then each purpose on its own."""

    mentoring = BooleanField(PURPOSE_LABELS["mentoring"])
    showcase = BooleanField(PURPOSE_LABELS["showcase"])
    photos = BooleanField(PURPOSE_LABELS["photos"])

    def purposes(self) -> list[str]:
        """The purposes ticked, beyond taking part."""
        return [name for name in ("mentoring", "showcase", "photos") if getattr(self, name).data]
