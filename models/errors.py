"""Typed domain errors whose messages a pharmacist can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error PerDiem reports to its user; the message says what to fix."""


class FieldError(DomainError):
    """One field of a form or record is wrong."""

    def __init__(self, field: str, problem: str, code: str | None = None):
        self.field = field
        self.problem = problem
        self.code = code  # a rule's error code, when it has one ("future-date", R24)
        super().__init__(f"{field}: {problem}")


class ValidationFailed(DomainError):
    """Several fields are wrong; `errors` keeps every one of them."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class NotFound(DomainError):
    """A record that was asked for does not exist."""


class Conflict(DomainError):
    """The change clashes with what is already saved (duplicate id, other pharmacy...)."""


class ImportRejected(DomainError):
    """An interchange file was refused; `errors` lists every problem with its JSON path."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        count = len(self.errors)
        head = f"The file was not imported ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *self.errors]))
