"""Domain errors that name the field to fix, so the view can show them beside it."""

from __future__ import annotations


class ValidationFailed(Exception):
    def __init__(self, errors: list[tuple[str | None, str]]):
        super().__init__("; ".join(str(message) for _, message in errors))
        self.errors = errors


def show_on_form(form, error: ValidationFailed) -> list[str]:
    """Attach each error to its field; return the ones that belong to no field."""
    general = []
    for field_name, message in error.errors:
        field = getattr(form, field_name, None) if field_name else None
        if field is not None:
            field.errors = [*list(field.errors or []), message]
        else:
            general.append(message)
    return general
