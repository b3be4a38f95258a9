"""Column helpers shared by the capabilities."""

from sqlalchemy import Enum


def state_enum(values: tuple[str, ...], name: str) -> Enum:
    """A string column limited to values by a CHECK constraint the database enforces."""
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=24,
                validate_strings=True)
