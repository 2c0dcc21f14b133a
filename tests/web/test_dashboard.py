"""Home dashboard: my open opportunities, quotes to follow up, orders to invoice, open and overdue invoices."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesapp.sales import figures, services
from salesapp.sales.models import Invoice
from salesapp.sales.selectors import overdue_invoices, receivables_aging, receivables_summary
from tests import factories

pytestmark = pytest.mark.django_db


def test_dashboard_shows_each_queue_and_invoice_balances_in_the_base_currency(
    client, rep, boss, opportunity, invoice, account
):
    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€", exchange_rate=Decimal("0.8"))
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
    overdue.refresh_from_db()
    assert overdue.balance_due_base == Decimal("50.00")  # EUR 40.00 at 1 USD = 0.8 EUR
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    client.force_login(rep)
    page = client.get(reverse("home")).content.decode()
    opportunities = page.split('data-testid="dash-opportunities"', 1)[1].split("</section>", 1)[0]
    assert opportunity.name in opportunities and "USD 255.00" in opportunities
    orders = page.split('data-testid="dash-orders"', 1)[1].split("</section>", 1)[0]
    assert order.order_number in orders
    invoices = page.split('data-testid="dash-invoices"', 1)[1].split("</section>", 1)[0]
    # one sum, in the base currency, labelled as such; each row in its own currency
    assert "Balance due (USD)" in invoices
    total = invoices.split('data-testid="dash-invoices-total">', 1)[1].split("</span></span>", 1)[0]
    assert "USD 305.00" in total and "EUR" not in total
    assert "EUR 40.00" in invoices and "USD 255.00" in invoices
    late = page.split('data-testid="dash-overdue"', 1)[1].split("</section>", 1)[0]
    assert overdue.invoice_number in late and invoice.invoice_number not in late
    assert "USD 50.00" in late and "Balance due (USD)" in late
    # another user's opportunities are not "mine"
    client.force_login(boss)
    page = client.get(reverse("home")).content.decode()
    assert (
        opportunity.name not in page.split('data-testid="dash-opportunities"', 1)[1].split("</section>", 1)[0]
    )


def test_partly_paid_invoices_count_by_their_balance_and_paid_ones_drop_out(client, rep, boss, invoice):
    """Open = something left to pay (Active or Paid · Partial); overdue = open and past the due date."""
    Invoice.objects.filter(pk=invoice.pk).update(due_date=datetime.date(2020, 1, 31))
    figures.rebuild()  # the update went around the services, which keep the summary
    invoice.refresh_from_db()
    services.payment_record(invoice=invoice, by=boss, amount=Decimal("55.00"))
    client.force_login(rep)
    page = client.get(reverse("home")).content.decode()
    for card in ("dash-invoices", "dash-overdue"):
        body = page.split(f'data-testid="{card}"', 1)[1].split("</section>", 1)[0]
        assert invoice.invoice_number in body
        assert f'data-testid="{card}-count">1<' in body
        assert "USD 200.00" in body  # 255.00 − 55.00
    invoice.refresh_from_db()
    services.payment_record(invoice=invoice, by=boss, amount=Decimal("200.00"))
    page = client.get(reverse("home")).content.decode()
    for card in ("dash-invoices", "dash-overdue"):
        body = page.split(f'data-testid="{card}"', 1)[1].split("</section>", 1)[0]
        assert invoice.invoice_number not in body
        assert f'data-testid="{card}-count">0<' in body and "USD 0.00" in body


def plan_of(sql: str, params: Any = ()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


def pg_plan_of(sql: str, params: Any = ()) -> str:
    with connection.cursor() as cursor:
        # A test table is tiny, so PostgreSQL would rather scan it: forbid that, to see that the
        # index can serve the query at all (on 10,000 invoices it chooses it by itself).
        # Likewise a top-N sort of a few rows is cheaper than an index walk: forbid sorting.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_sort = on")
        return plan


def test_open_and_overdue_invoices_are_summed_from_the_summary_and_listed_from_the_index(db):
    """The dashboard on 10,000 invoices (bench/pages.py): the open and overdue cards' count and balance
    add up the summary's receivables (one query, no invoice read) and agree with the invoices; the
    overdue card's oldest due dates are an index walk of invoice_open_due_date_idx (partial: open
    invoices only), no sort of every open one."""
    today = datetime.date(2030, 1, 1)
    rows = Invoice.objects.filter(overdue_invoices(today)).order_by("due_date").values_list("pk")[:8]
    with CaptureQueriesContext(connection) as ctx:
        summary = receivables_summary(receivables_aging(today), overdue=True)
    assert any("reporting_documentfigure" in q["sql"] for q in ctx.captured_queries)
    assert not any("sales_invoice" in q["sql"] for q in ctx.captured_queries)
    overdue = Invoice.objects.filter(overdue_invoices(today))
    assert summary["count"] == overdue.count()
    assert summary["totals"][0]["total"] == sum(overdue.values_list("balance_due_base", flat=True))
    if connection.vendor == "sqlite":
        walk = plan_of(*rows.query.sql_with_params())
        assert "invoice_open_due_date_idx" in walk and "TEMP B-TREE" not in walk
    else:
        walk = pg_plan_of(*rows.query.sql_with_params())
        assert "invoice_open_due_date_idx" in walk and "Sort" not in walk
