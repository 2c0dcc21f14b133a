"""Quick Create's product search: a catalog bigger than the select's first page is still one search away.

Saves var/screenshots/<test>.png.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.forms import LOOKUP_LIMIT
from salesapp.sales.models import Invoice
from tests import factories
from tests.e2e.browser import expect_totals, login, open_invoice

pytestmark = pytest.mark.browser


def test_search_finds_a_product_beyond_the_first_page_and_enter_does_not_submit(
    page, shoot, rep, account, price_list
):
    for n in range(LOOKUP_LIMIT):
        factories.PriceListItemFactory(
            price_list=price_list,
            amount=Decimal("10.00"),
            product=factories.ProductFactory(name=f"Anchor {n:03d}"),
        )
    zeta = factories.PriceListItemFactory(
        price_list=price_list, amount=Decimal("42.50"), product=factories.ProductFactory(name="Zeta gear")
    ).product
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Searching")
    login(page, rep.username)
    open_invoice(page, invoice)

    quick = page.get_by_test_id("quick-create")
    select = quick.get_by_label("Existing product")
    expect(select.locator("option", has_text="Zeta gear")).to_have_count(0)
    search = quick.get_by_test_id("product-search")
    search.fill("zeta")
    search.press("Enter")  # searches; doesn't submit the line without a product
    expect(select).to_have_value(str(zeta.pk))
    expect(page.get_by_test_id("products-grid").get_by_test_id("line-row")).to_have_count(0)
    expect(page.get_by_text("Choose a product")).to_have_count(0)
    quick.get_by_label("Quantity").fill("2")
    quick.get_by_role("button", name="Add Product").click()

    rows = page.get_by_test_id("products-grid").get_by_test_id("line-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("line-product")).to_contain_text("Zeta gear")
    expect_totals(page, total_amount="85.00")
    shoot()
