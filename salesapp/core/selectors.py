"""Reads for the home dashboard: a fixed number of queries whatever the number of records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder
from salesapp.sales.states import InvoiceState, OpportunityState, OrderState, QuoteState

DASHBOARD_ROWS = 8
CUSTOMER = ("customer_account", "customer_contact", "currency")


def _summary(qs: Any) -> dict[str, Any]:
    """Count and total per currency (one query): amounts in different currencies never add up.

    Display totals only: SQLite sums decimals as floats, so they are rounded back to the currency's
    precision; nothing exact is derived from them.
    """
    rows = (qs.order_by().values("currency__code", "currency__precision")
            .annotate(count=Count("pk"), total=Sum("total_amount")).order_by("currency__code"))
    totals = [
        {"currency": r["currency__code"], "count": r["count"],
         "total": Decimal(str(r["total"] or 0)).quantize(Decimal(1).scaleb(-r["currency__precision"]))}
        for r in rows
    ]
    return {"count": sum(t["count"] for t in totals), "totals": totals}


def dashboard(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    opportunities = Opportunity.objects.filter(owner=user, state=OpportunityState.OPEN)
    quotes = Quote.objects.filter(owner=user, state=QuoteState.ACTIVE)
    orders = SalesOrder.objects.filter(state__in=[OrderState.ACTIVE, OrderState.SUBMITTED, OrderState.FULFILLED])
    invoices = Invoice.objects.filter(state=InvoiceState.ACTIVE)
    overdue = invoices.filter(due_date__lt=today)
    return {
        "opportunities": list(opportunities.select_related(*CUSTOMER).order_by("estimated_close_date", "-created_on")
                              [:DASHBOARD_ROWS]),
        "opportunities_summary": _summary(opportunities),
        "quotes": list(quotes.select_related(*CUSTOMER).order_by("due_by", "-created_on")[:DASHBOARD_ROWS]),
        "quotes_summary": _summary(quotes),
        "orders": list(orders.select_related(*CUSTOMER).order_by("-created_on")[:DASHBOARD_ROWS]),
        "orders_summary": _summary(orders),
        "invoices": list(invoices.select_related(*CUSTOMER).order_by("due_date", "-created_on")[:DASHBOARD_ROWS]),
        "invoices_summary": _summary(invoices),
        "overdue": list(overdue.select_related(*CUSTOMER).order_by("due_date")[:DASHBOARD_ROWS]),
        "overdue_summary": _summary(overdue),
    }
