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


def flash_problems(error: ValidationFailed, form=None) -> None:
    """Show the problems as flash messages: those of a field beside it when a form is given, the rest on top."""
    from flask import flash

    messages = show_on_form(form, error) if form is not None else [message for _field, message in error.errors]
    for message in messages:
        flash(str(message), "error")
