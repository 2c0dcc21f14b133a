"""Issue 3 browser procedure (a): Orders → an order → Create Invoice.

Starting data is built through the services; the procedure itself goes through the screens.
Saves var/screenshots/<test>.png.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests.e2e.browser import INVOICE_URL, command, expect_totals, go, login, money

pytestmark = pytest.mark.browser


def test_order_create_invoice(page, shoot, rep, opportunity):
    """Orders → pick an order → Create Invoice → the invoice shows the order's customer, products, totals."""
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    product_name = opportunity.lines.get(write_in_name="").product.name
    login(page, rep.username)

    go(page, "Orders")
    page.get_by_role("row").filter(has_text=order.order_number).get_by_role("link").first.click()
    expect(page.get_by_test_id("record-number")).to_have_text(order.order_number)
    command(page, "Create Invoice").click()

    expect(page).to_have_url(INVOICE_URL)
    expect(page.get_by_test_id("record-number")).to_have_text(re.compile(r"^INV-\d{5}$"))
    expect(page.get_by_test_id("customer")).to_have_text(order.customer.name)
    expect(page.get_by_test_id("sources")).to_contain_text(order.order_number)
    rows = page.get_by_test_id("products-grid").get_by_test_id("line-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_test_id("line-product")).to_contain_text(product_name)
    expect(rows.nth(0).get_by_test_id("line-quantity")).to_have_text(re.compile(r"^\s*2(\.0+)?\s*$"))
    expect(rows.nth(0).get_by_test_id("line-amount")).to_have_text(money("200.00"))
    expect(rows.nth(1).get_by_test_id("line-product")).to_contain_text("Installation")
    expect(rows.nth(1).get_by_test_id("line-extended_amount")).to_have_text(money("55.00"))
    expect_totals(page, total_line_item_amount="250.00", total_tax="5.00", total_amount="255.00")
    expect(page.get_by_test_id("prices-locked")).to_be_visible()  # made from an order: its prices were agreed
    shoot()

    invoice = Invoice.objects.get(sales_order=order)
    assert invoice.total_amount == Decimal("255.00")
