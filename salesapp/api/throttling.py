"""Throttling of failed token checks (SPEC §9): an address that sends API_TOKEN_FAILURE_LIMIT unknown,
revoked or expired tokens within API_TOKEN_LOCKOUT_MINUTES is answered 429 until that window has passed,
whatever token it sends meanwhile.

The counts live in Django's cache, not the database: a client hammering the API with bad tokens costs
a cache increment, not a row written per request, and the counts may be lost on a restart without harm.
The default cache is one process's memory; several web processes share the counts through
REDIS_CACHE_URL (settings).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

from .errors import ApiError


def _failures_key(address: str) -> str:
    return f"api:token-failures:{address}"


def _blocked_key(address: str) -> str:
    return f"api:token-blocked:{address}"


def _window() -> float:
    return float(settings.API_TOKEN_LOCKOUT_MINUTES) * 60


def refuse_if_blocked(address: str) -> None:
    """Raise the 429 (with Retry-After) while the address is blocked."""
    until = cache.get(_blocked_key(address))
    if until is None:
        return
    wait = max(1, math.ceil(until - time.time()))
    minutes = max(1, math.ceil(wait / 60))
    raise ApiError(
        429,
        f"Too many requests with an unknown, revoked or expired API token came from your address; "
        f"it is blocked for {minutes} more minute{'s' if minutes != 1 else ''} (Retry-After).",
        headers={"Retry-After": str(wait)},
    )


def record_failure(address: str) -> None:
    """Count one failed token check; the limit-th within the window blocks the address for a window."""
    window = _window()
    key = _failures_key(address)
    cache.add(key, 0, timeout=window)  # the window starts at the first failure
    try:
        failures = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        failures = 1
    if failures >= settings.API_TOKEN_FAILURE_LIMIT:
        cache.set(_blocked_key(address), time.time() + window, timeout=window)
        cache.delete(key)
