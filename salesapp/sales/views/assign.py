"""Bulk Assign from a list (D365's Assign on the rows ticked in a grid).

POST from the list with the ticked `ids`: a page to choose the new owner. POST of that page (`owner`):
each record through `services.record_assign` — the ownership service checks the role (the owner or a
sales manager may assign), the lifecycle's "assign" row and the assignee, record by record — then a
summary of what was assigned and what was skipped, and why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from salesapp.accounts.decorators import salesperson_required
from salesapp.accounts.roles import sales_users
from salesapp.core.views.lists import SelectionError, selected_ids
from salesapp.core.views.records import next_url
from salesapp.customers.models import Account, Contact
from salesapp.sales import services

from .kinds import KINDS

# The lists with a bulk Assign: the entity in the URL name ("invoice_bulk_assign") → model and noun.
ASSIGNABLE: dict[str, tuple[Any, str, str]] = {
    **{k.slug: (k.model, k.noun, k.url_name("list")) for k in KINDS if k.slug != "creditnote"},
    "account": (Account, "account", "account_list"),
    "contact": (Contact, "contact", "contact_list"),
}


def _owner_choice(raw: str) -> Any:
    """The chosen user, if they may own records; None for anything else (a tampered form)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return None
    return sales_users().filter(pk=int(raw)).first()


def _bulk_assign(request: HttpRequest, entity: str) -> HttpResponse:
    model, noun, list_name = ASSIGNABLE[entity]
    back = next_url(request, reverse(list_name))
    try:
        ids = selected_ids(request.POST)
    except SelectionError as exc:
        messages.error(request, str(exc).replace("records", f"{noun}s").replace("record", noun))
        return redirect(back)
    context: dict[str, Any] = {
        "noun": noun,
        "ids": ids,
        "next": back,
        "users": sales_users().only("id", "username"),
    }
    if "owner" not in request.POST:
        return render(request, "core/bulk_assign.html", context)
    owner = _owner_choice(request.POST["owner"])
    if owner is None:
        context["error"] = "Owner: choose an active user with a sales role."
        return render(request, "core/bulk_assign.html", context, status=400)
    assigned, skipped = services.records_assign(model, ids, by=request.user, owner=owner)
    context.update(
        {
            "owner": owner,
            "assigned": [services.record_label(r) for r in assigned],
            "skipped": skipped,
            "done": True,
        }
    )
    return render(request, "core/bulk_assign.html", context)


def _bind(entity: str) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        return _bulk_assign(request, entity)

    view.__name__ = f"{entity}_bulk_assign"
    return salesperson_required(require_POST(view))


bulk_assign_views = {entity: _bind(entity) for entity in ASSIGNABLE}
