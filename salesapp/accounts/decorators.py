"""Role checks for the browser screens (SPEC §9), enforced on the server for every page and action.

Anonymous users never reach these: LoginRequiredMiddleware sends them to the login page first.
A logged-in user without the needed role gets 403 and nothing runs.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied

from .roles import is_manager, is_salesperson

View = Callable[..., Any]


def _guard(check: Callable[[Any], bool], role: str, *, writes_only: bool = False) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request, *args: Any, **kwargs: Any):
            if not is_salesperson(request.user):
                raise PermissionDenied("You need the Salesperson or Sales manager role.")
            if (not writes_only or request.method not in ("GET", "HEAD", "OPTIONS")) and not check(
                request.user
            ):
                raise PermissionDenied("Only a sales manager may do this.")
            return view(request, *args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


salesperson_required = _guard(is_salesperson, "salesperson")
"""Salespeople and managers."""

manager_required = _guard(is_manager, "manager")
"""Sales managers only (Invoice Paid, Cancel Invoice, Cancel Order, catalog and settings edits)."""

manager_required_for_writes = _guard(is_manager, "manager for writes", writes_only=True)
"""Salespeople may read (GET); only managers may post (catalog, organization settings)."""
