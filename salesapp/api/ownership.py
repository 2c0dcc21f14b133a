"""`ownerid@odata.bind` (WEBAPI.md: Owner): taken out of a create or update body and run as Assign,
through the same service as the screens' Assign command (salesapp.sales.services.ownership)."""

from __future__ import annotations

from typing import Any

from salesapp.accounts.models import SystemUser
from salesapp.sales import services

from .entities import OWNER, READ, Entity
from .errors import bad_request
from .values import parse_bind

BIND = f"{OWNER.name}@odata.bind"


def take_owner(entity: Entity, body: Any) -> tuple[Any, Any]:
    """(the body without `ownerid@odata.bind`, the user it names or None)."""
    found = entity.bind(OWNER.name)
    if not isinstance(body, dict) or BIND not in body or found is None or found[0].access == READ:
        return body, None  # a read-only owner (who recorded a payment): split_body refuses the bind
    rest = {k: v for k, v in body.items() if k != BIND}
    key = parse_bind(OWNER.name, body[BIND], "systemusers")
    if key is None:
        raise bad_request(f"{OWNER.name} of {entity.logical} can't be cleared: assign it to a systemuser.")
    row = SystemUser.objects.select_related("user").filter(pk=key).first()
    if row is None:
        raise bad_request(f"{BIND}: there is no record /systemusers({key}).")
    return rest, row.user


def assign(obj: Any, owner: Any, user: Any, *, expected_version: int | None = None) -> Any:
    """Assign `obj` to `owner` (nothing to do for None): the owner or a manager may (else 403)."""
    if owner is None:
        return obj
    return services.record_assign(record=obj, by=user, owner=owner, expected_version=expected_version)
