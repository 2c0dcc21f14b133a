"""The Web API's GUID of a user (Dataverse `systemuserid`), derived from the user's integer pk.

Django users have integer keys; Dataverse clients expect a GUID. The GUID is an RFC 9562 version-8
("custom") UUID that carries the pk in its last 48 bits: `5a1e0000-0000-8000-8000-00000000002a` is
user 42. Derived rather than stored, so it is stable (a pk never changes), a document's
`_ownerid_value` is computed from its `owner_id` without a join, and `_ownerid_value eq <guid>` is
an indexed comparison of `owner_id` — list queries don't grow. It hides nothing: any API user may
read the `systemusers` set anyway.
"""

from __future__ import annotations

import uuid
from typing import Any

PREFIX = "5a1e0000-0000-8000-8000-"
MAX_PK = 16**12 - 1


def systemuser_id(user_or_pk: Any) -> uuid.UUID | None:
    """The GUID of a user (or of a user pk); None for None."""
    pk = getattr(user_or_pk, "pk", user_or_pk)
    if pk is None:
        return None
    if not isinstance(pk, int) or not 0 < pk <= MAX_PK:
        raise ValueError(f"A user pk must be a whole number from 1 to {MAX_PK}, not {pk!r}.")
    return uuid.UUID(f"{PREFIX}{pk:012x}")


def user_pk(guid: Any) -> int | None:
    """The user pk a GUID names, or None when it isn't one of ours."""
    text = str(guid).lower()
    if not text.startswith(PREFIX) or len(text) != len(PREFIX) + 12:
        return None
    try:
        pk = int(text[len(PREFIX) :], 16)
    except ValueError:
        return None
    return pk or None
