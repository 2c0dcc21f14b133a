"""Reads for the home dashboard: a fixed number of queries whatever the number of records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder
from salesapp.sales.selectors import document_list
from salesapp.sales.states import InvoiceState, OpportunityState, OrderState, QuoteState

DASHBOARD_ROWS = 8


def _per_currency(qs: Any, **subsets: Q) -> list[dict[str, Any]]:
    """One query: count and total per currency of `qs`, and of each named subset of it."""
    # count(currency_id), not count(id): with the invoice_open_due_idx index the query reads the index only
    aggregates: dict[str, Any] = {"count": Count("currency"), "total": Sum("total_amount")}
    for name, cond in subsets.items():
        aggregates[f"{name}_count"] = Count("currency", filter=cond)
        aggregates[f"{name}_total"] = Sum("total_amount", filter=cond)
    return list(
        qs.order_by()
        .values("currency__code", "currency__precision")
        .annotate(**aggregates)
        .order_by("currency__code")
    )


def _summary(rows: list[dict[str, Any]], prefix: str = "") -> dict[str, Any]:
    """Amounts in different currencies never add up: one total per currency.

    Display totals only: SQLite sums decimals as floats, so the template rounds them back to the
    currency's precision (`places`) when it formats them; nothing exact is derived from them.
    """
    totals = [
        {
            "currency": r["currency__code"],
            "places": r["currency__precision"],
            "count": r[f"{prefix}count"],
            "total": Decimal(str(r[f"{prefix}total"] or 0)),
        }
        for r in rows
        if r[f"{prefix}count"]
    ]
    return {"count": sum(t["count"] for t in totals), "totals": totals}


def _first(qs: Any, *order: str) -> list[Any]:
    """The first rows in `order`: ids from the table alone (SQLite then walks an index instead of
    sorting every joined row, as the lists do), then those rows with their relations."""
    ids = list(qs.order_by(*order).values_list("pk", flat=True)[:DASHBOARD_ROWS])
    rows = qs.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def dashboard(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    # document_list: the list columns only (documents are wide rows)
    opportunities = document_list(Opportunity).filter(owner=user, state=OpportunityState.OPEN)
    quotes = document_list(Quote).filter(owner=user, state=QuoteState.ACTIVE)
    orders = document_list(SalesOrder).filter(
        state__in=[OrderState.ACTIVE, OrderState.SUBMITTED, OrderState.FULFILLED]
    )
    invoices = document_list(Invoice).filter(state=InvoiceState.ACTIVE)
    late = Q(due_date__lt=today)
    overdue = invoices.filter(late)
    invoice_rows = _per_currency(invoices, overdue=late)
    return {
        "opportunities": _first(opportunities, "estimated_close_date", "-created_on"),
        "opportunities_summary": _summary(_per_currency(opportunities)),
        "quotes": _first(quotes, "due_by", "-created_on"),
        "quotes_summary": _summary(_per_currency(quotes)),
        "orders": _first(orders, "-created_on"),
        "orders_summary": _summary(_per_currency(orders)),
        # newest first (an index walk); the overdue card lists the oldest due dates
        "invoices": _first(invoices, "-created_on"),
        "invoices_summary": _summary(invoice_rows),
        "overdue": _first(overdue, "due_date"),
        "overdue_summary": _summary(invoice_rows, "overdue_"),
    }
