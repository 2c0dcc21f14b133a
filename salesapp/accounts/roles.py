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


def may_manage(user: Any, record: Any) -> bool:
    """SPEC §4/§9: a record's owner or a sales manager may delete and assign it.

    The one check of that rule: the ownership services enforce it, the screens' command bar and the
    Web API ask it. A record without an owner is managed by managers only.
    """
    if is_manager(user):
        return True
    return is_salesperson(user) and record.owner_id is not None and record.owner_id == user.pk


def has_role(user: Any, role: str, record: Any = None) -> bool:
    """Whether `user` may run an action that needs `role`: a lifecycle table's role column
    (`salesapp.sales.states.Role`: "salesperson", "manager", or "owner" of `record`)."""
    if role == "manager":
        return is_manager(user)
    if role == "owner":
        return record is not None and may_manage(user, record)
    return is_salesperson(user)


def sales_users() -> Any:
    """The users a record may be assigned to (as `is_salesperson` says): active, with a sales role."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=(SALESPERSON, SALES_MANAGER)))
        .distinct()
        .order_by("username")
    )
