from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .models import Account, Contact


def account_list() -> QuerySet[Account]:
    return Account.objects.select_related("owner", "primary_contact", "default_price_list")


def contact_list() -> QuerySet[Contact]:
    return Contact.objects.select_related("owner", "account")


def customer_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Accounts and contacts for a customer picker, values "account:<id>" / "contact:<id>" (2 queries)."""
    accounts = [
        (f"account:{pk}", name) for pk, name in Account.objects.order_by("name").values_list("pk", "name")
    ]
    contacts = [
        (f"contact:{pk}", f"{first} {last}".strip())
        for pk, first, last in Contact.objects.order_by("last_name", "first_name").values_list(
            "pk", "first_name", "last_name"
        )
    ]
    return [("Accounts", accounts), ("Contacts", contacts)]


def customer_from_choice(value: str) -> Account | Contact | None:
    kind, _, pk = (value or "").partition(":")
    model = {"account": Account, "contact": Contact}.get(kind)
    if model is None:
        return None
    try:
        return model.objects.select_related("default_price_list").get(pk=pk)
    except (model.DoesNotExist, ValueError, ValidationError):  # a bad id is just "no such customer"
        return None
