"""Domain errors: a sentence a user can read, and (optionally) the field it is about."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError


class DomainError(Exception):
    """A rule of the domain refused the action. Nothing was changed."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """Bad input: names the field."""


class StateError(DomainError):
    """The record's state doesn't allow the action."""


class ConcurrentChange(DomainError):
    """Somebody changed the record since the user loaded it."""

    status = 409


class PermissionDeniedError(DomainError):
    status = 403


def from_django_validation(exc: "Exception", obj: Any = None) -> ValidationFailed:
    """Turn a django ValidationError (full_clean) into our error, naming the first field.

    A violated check constraint is named by the model's `CONSTRAINT_ERRORS` (constraint name → field and
    sentence) rather than by the constraint's internal name."""
    named = getattr(obj, "CONSTRAINT_ERRORS", {})
    violated = set(getattr(exc, "message_dict", {}).get("__all__", [])) if named else set()
    for constraint in obj._meta.constraints if violated else ():
        if constraint.name in named and constraint.get_violation_error_message() in violated:
            field, message = named[constraint.name]
            return ValidationFailed(message, field=field)
    message_dict = getattr(exc, "message_dict", None)
    if message_dict:
        field, messages = next(iter(message_dict.items()))
        label = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
        return ValidationFailed(f"{label}{messages[0]}", field=None if field == "__all__" else field)
    messages = getattr(exc, "messages", None) or [str(exc)]
    return ValidationFailed(messages[0])


def full_clean_or_fail(obj: Any) -> None:
    """Apply the model's own rules (fields and constraints) to `obj`, failing with our error."""
    try:
        obj.full_clean(validate_constraints=True)
    except DjangoValidationError as exc:
        raise from_django_validation(exc, obj) from exc
