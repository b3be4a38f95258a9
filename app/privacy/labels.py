"""Names shown for the privacy codes, in the reader's language."""

from flask_babel import lazy_gettext as _l

ERASURE_STATE_LABELS = {
    "pending": _l("waiting"),
    "done": _l("carried out"),
    "refused": _l("refused"),
}
