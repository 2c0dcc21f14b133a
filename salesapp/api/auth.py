"""Bearer-token authentication for the Web API. Session cookies are never looked at.

Every unknown, revoked or expired token counts against the client's address (throttling.py): past the
limit the address gets 429 until the window has passed, even with a good token.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from salesapp.accounts.addresses import client_address
from salesapp.accounts.roles import is_salesperson

from . import throttling
from .errors import ApiError
from .models import ApiToken, hash_token

LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def authenticate(request: Any) -> Any:
    """The user of the request's `Authorization: Bearer <token>`, or a 401/403/429 ApiError."""
    address = client_address(request)
    throttling.refuse_if_blocked(address)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise ApiError(
            401,
            "Send a personal API token as 'Authorization: Bearer <token>' (create one on your profile page).",
        )
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        throttling.record_failure(address)
        raise ApiError(401, "The API token is unknown or was revoked.")
    now = timezone.now()
    if row.expires_on is not None and row.expires_on <= now:
        throttling.record_failure(address)
        raise ApiError(
            401,
            f"The API token expired on {row.expires_on:%Y-%m-%d %H:%M} UTC; "
            "create a new one on your profile page.",
        )
    if row.last_used_on is None or now - row.last_used_on > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_on=now)
    user = row.user
    if not is_salesperson(user):
        raise ApiError(403, "Your user has no sales role (Salesperson or Sales manager).")
    return user
