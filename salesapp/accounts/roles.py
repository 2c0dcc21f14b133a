"""Roles of SPEC §9, as Django groups. Checked on the server for every page, action and API call."""

from typing import Any

SALESPERSON = "Salesperson"
SALES_MANAGER = "Sales manager"


def _groups(user: Any) -> set[str]:
    cached = getattr(user, "_salesapp_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._salesapp_groups = cached
    return cached


def is_manager(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or SALES_MANAGER in _groups(user))
    )


def is_salesperson(user: Any) -> bool:
    """Salespeople and managers (a manager may do all a salesperson may)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or _groups(user) & {SALESPERSON, SALES_MANAGER})
    )
