"""The Credit Notes list. A credit note's record page is the documents' (views/documents.py), read-only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from salesapp.accounts.decorators import salesperson_required
from salesapp.accounts.roles import is_salesperson
from salesapp.core import formatting as fmt
from salesapp.core.views.lists import BulkAction, Column, ListPage, ListView, render_list
from salesapp.sales.models import CreditNote

from .kinds import CREDIT_NOTE, Kind

LIST_FIELDS = (
    "id",
    "credit_note_number",
    "name",
    "credit_date",
    "total_amount",
    "created_on",
    "invoice__invoice_number",
    "owner__username",
    "customer_account__name",
    "customer_contact__first_name",
    "customer_contact__last_name",
    "currency__code",
    "currency__precision",
)


def _queryset() -> QuerySet:
    return CreditNote.objects.select_related(
        "invoice", "owner", "customer_account", "customer_contact", "currency"
    ).only(*LIST_FIELDS)


def _customer(note: Any) -> str:
    return note.customer.name if note.customer else ""


CREDIT_NOTE_LIST = ListPage(
    title=CREDIT_NOTE.title,
    url_name=CREDIT_NOTE.url_name("list"),
    queryset=_queryset,
    detail_url=CREDIT_NOTE.url,
    columns=(
        Column("Credit Note ID", lambda n: n.credit_note_number, sort="credit_note_number", link=True),
        Column("Invoice", lambda n: n.invoice.invoice_number, sort="invoice__invoice_number"),
        Column("Customer", _customer, sort="customer_account__name"),
        Column("Credit Date", lambda n: fmt.day(n.credit_date), sort="credit_date"),
        Column("Currency", lambda n: n.currency.code),
        Column(
            "Total Amount",
            lambda n: fmt.amount(n.total_amount, n.currency.precision),
            sort="total_amount",
            numeric=True,
        ),
        Column("Owner", lambda n: n.owner.username if n.owner_id else "", sort="owner__username"),
    ),
    search_fields=("credit_note_number", "name", "invoice__invoice_number"),
    customer_fields=("customer_account__name", "customer_contact__last_name", "customer_contact__first_name"),
    date_field="credit_date",
    date_label="Credit Date",
    views=(
        ListView("my", "My Credit Notes", lambda user: Q(owner_id=user.pk)),
        ListView("all", "All Credit Notes", lambda user: Q()),
    ),
    default_view=lambda user, params: "all",
    bulk_actions=(BulkAction("email", "Send by Email", "documents:creditnote_bulk_email", is_salesperson),),
)


@salesperson_required
def credit_note_list(request: HttpRequest, kind: Kind) -> HttpResponse:
    return render_list(request, CREDIT_NOTE_LIST)
