"""Issue 3 browser procedure (b): Invoices → New → Save → Get Products → a write-in line; totals.

Starting data is built through the services; the procedure itself goes through the screens.
Saves var/screenshots/<test>.png.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from salesapp.sales.models import Invoice
from tests.e2e.browser import INVOICE_URL, command, expect_totals, go, login, money

pytestmark = pytest.mark.browser


def test_new_invoice_get_products_and_write_in(page, shoot, rep, account, opportunity):
    """Invoices → New → customer → Save → Get Products → a write-in with price, quantity, discount, tax."""
    login(page, rep.username)
    go(page, "Invoices")
    command(page, "New").click()
    page.get_by_label("Customer").select_option(label=account.name)
    page.get_by_label("Name").fill("Counter sale")
    command(page, "Save").click()
    expect(page).to_have_url(INVOICE_URL)
    expect(page.get_by_test_id("customer")).to_have_text(account.name)
    expect_totals(page, total_amount="0.00")

    command(page, "Get Products").click()
    dialog = page.get_by_test_id("dialog-get-products")
    dialog.get_by_label("Opportunity").select_option(label=opportunity.name)
    dialog.get_by_role("button", name="OK").click()
    rows = page.get_by_test_id("products-grid").get_by_test_id("line-row")
    expect(rows).to_have_count(2)
    expect_totals(page, total_amount="255.00")

    quick = page.get_by_test_id("quick-create")
    quick.get_by_label("Write-In", exact=True).check()
    quick.get_by_label("Write-in product").fill("On-site training")
    quick.get_by_label("Price per unit").fill("250.00")
    quick.get_by_label("Quantity").fill("4")
    quick.get_by_label("Manual discount").fill("100.00")
    quick.get_by_label("Tax").fill("135.00")
    quick.get_by_role("button", name="Add Product").click()

    expect(rows).to_have_count(3)
    added = rows.filter(has_text="On-site training")
    expect(added.get_by_test_id("line-amount")).to_have_text(money("1000.00"))  # 250.00 × 4
    expect(added.get_by_test_id("line-extended_amount")).to_have_text(money("1035.00"))  # − 100.00 + 135.00
    # SPEC §3.4: detail = Σ (amount − manual discount) = 200 + 50 + 900; tax = 5 + 135; total = 1,150 + 140.
    expect_totals(
        page,
        total_line_item_amount="1150.00",
        total_line_item_discount_amount="100.00",
        total_amount_less_freight="1150.00",
        total_tax="140.00",
        total_discount_amount="100.00",
        total_amount="1290.00",
    )
    shoot()

    invoice = Invoice.objects.get(name="Counter sale")
    assert (invoice.total_amount, invoice.lines.count()) == (Decimal("1290.00"), 3)
