"""Customer writes: accounts and contacts."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from salesapp.core.exceptions import from_django_validation
from salesapp.core.models import TimeStamped

from .models import Account, Contact

M = TypeVar("M", bound=TimeStamped)


def _save(obj: M, by: Any, changes: dict[str, Any]) -> M:
    if obj._state.adding and by is not None and getattr(by, "pk", None):
        obj.owner = by
    for key, value in changes.items():
        setattr(obj, key, value)
    try:
        obj.full_clean(validate_constraints=True)
    except DjangoValidationError as exc:
        raise from_django_validation(exc) from exc
    obj.save()
    return obj


@transaction.atomic
def account_save(*, account: Account, by: Any = None, **changes: Any) -> Account:
    return _save(account, by, changes)


@transaction.atomic
def contact_save(*, contact: Contact, by: Any = None, **changes: Any) -> Contact:
    return _save(contact, by, changes)
