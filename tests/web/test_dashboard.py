"""Home dashboard: my open opportunities, quotes to follow up, orders to invoice, open and overdue invoices."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories

pytestmark = pytest.mark.django_db


def test_dashboard_shows_each_queue_with_totals_per_currency(client, rep, boss, opportunity, invoice, account):
    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€")
    overdue = services.document_create(Invoice, by=rep, customer=account, name="Late one", currency=eur,
                                       price_list=None, invoice_date=datetime.date(2020, 1, 1),
                                       due_date=datetime.date(2020, 1, 31))
    services.line_add(document=overdue, by=rep, write_in_name="Old work", quantity=Decimal("1"),
                      price_per_unit=Decimal("40.00"))
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
    assert opportunity.name not in page.split('data-testid="dash-opportunities"', 1)[1].split("</section>", 1)[0]
