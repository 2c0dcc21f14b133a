"""Home dashboard: my open opportunities, quotes to follow up, orders to invoice, open and overdue invoices."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesapp.sales import services
from salesapp.sales.models import Invoice
from salesapp.sales.selectors import _per_currency
from salesapp.sales.states import InvoiceState
from tests import factories

pytestmark = pytest.mark.django_db


def test_dashboard_shows_each_queue_with_totals_per_currency(
    client, rep, boss, opportunity, invoice, account
):
    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€")
    overdue = services.document_create(
        Invoice,
        by=rep,
        customer=account,
        name="Late one",
        currency=eur,
        price_list=None,
        invoice_date=datetime.date(2020, 1, 1),
        due_date=datetime.date(2020, 1, 31),
    )
    services.line_add(
        document=overdue,
        by=rep,
        write_in_name="Old work",
        quantity=Decimal("1"),
        price_per_unit=Decimal("40.00"),
    )
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    client.force_login(rep)
    page = client.get(reverse("home")).content.decode()
    opportunities = page.split('data-testid="dash-opportunities"', 1)[1].split("</section>", 1)[0]
    assert opportunity.name in opportunities and "USD 255.00" in opportunities
    orders = page.split('data-testid="dash-orders"', 1)[1].split("</section>", 1)[0]
    assert order.order_number in orders
    invoices = page.split('data-testid="dash-invoices"', 1)[1].split("</section>", 1)[0]
    assert "EUR 40.00" in invoices and "USD 255.00" in invoices  # never added across currencies
    late = page.split('data-testid="dash-overdue"', 1)[1].split("</section>", 1)[0]
    assert overdue.invoice_number in late and invoice.invoice_number not in late
    # another user's opportunities are not "mine"
    client.force_login(boss)
    page = client.get(reverse("home")).content.decode()
    assert (
        opportunity.name not in page.split('data-testid="dash-opportunities"', 1)[1].split("</section>", 1)[0]
    )


def plan_of(sql: str, params: Any = ()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


def test_open_and_overdue_invoices_are_read_from_the_index(db):
    """The dashboard on 10,000 invoices: summed and sorted from invoice_open_due_idx (bench/pages.py)."""
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    active = Invoice.objects.filter(state=InvoiceState.ACTIVE)
    late = Q(due_date__lt=datetime.date(2030, 1, 1))
    assert "invoice_open_due_idx" in plan_of(
        *active.filter(late).order_by("due_date")[:8].query.sql_with_params()
    )
    with CaptureQueriesContext(connection) as ctx:
        _per_currency(active, overdue=late)
    assert "COVERING INDEX invoice_open_due_idx" in plan_of(ctx.captured_queries[0]["sql"])
