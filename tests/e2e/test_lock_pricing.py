"""Issue 3 browser procedure (c): Lock Pricing survives a price list change; Use Current Pricing follows it.

Starting data is built through the services; the procedure itself goes through the screens.
Saves var/screenshots/<test>.png.
"""

import pytest
from playwright.sync_api import expect

from salesapp.sales import services
from tests.e2e.browser import command, expect_totals, go, login, money, open_invoice

pytestmark = pytest.mark.browser


def test_lock_pricing_and_use_current_pricing(page, another_page, shoot, rep, boss, opportunity, price_list):
    """Lock Pricing; a manager changes the price list item; the invoice keeps its price; Use Current Pricing."""
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)  # unlocked
    catalog_line = opportunity.lines.get(write_in_name="")
    login(page, rep.username)
    open_invoice(page, invoice)
    expect(page.get_by_test_id("prices-locked")).to_have_count(0)
    command(page, "Lock Pricing").click()
    expect(page.get_by_test_id("prices-locked")).to_be_visible()

    manager = another_page()
    login(manager, boss.username)
    go(manager, "Price Lists")
    manager.get_by_role("link", name=price_list.name, exact=True).click()
    manager.get_by_test_id("price-list-items").get_by_role("link", name=catalog_line.product.name).click()
    manager.get_by_label("Amount", exact=True).fill("120.00")
    command(manager, "Save").click()
    expect(manager.get_by_test_id("messages")).to_contain_text("saved")
    expect(manager.get_by_test_id("price-list-items")).to_contain_text("120")

    page.reload()
    row = page.get_by_test_id("line-row").filter(has_text=catalog_line.product.name)
    expect(row.get_by_test_id("line-price_per_unit")).to_have_text(money("100.00"))
    expect_totals(page, total_amount="255.00")
    shoot("locked")

    command(page, "Use Current Pricing").click()
    expect(page.get_by_test_id("prices-locked")).to_have_count(0)
    expect(row.get_by_test_id("line-price_per_unit")).to_have_text(money("120.00"))
    expect(row.get_by_test_id("line-amount")).to_have_text(money("240.00"))
    expect_totals(page, total_line_item_amount="290.00", total_amount="295.00")
    shoot()
