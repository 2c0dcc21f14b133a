"""Issue 3 browser procedure (e): Cancel Invoice.

Starting data is built through the services; the procedure itself goes through the screens.
Saves var/screenshots/<test>.png.
"""

import pytest
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.states import InvoiceState
from tests.e2e.browser import command, login, open_invoice

pytestmark = pytest.mark.browser


def test_cancel_invoice(page, shoot, boss, opportunity):
    """Cancel Invoice asks for confirmation, then the invoice is Canceled and read-only."""
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=boss)
    login(page, boss.username)
    open_invoice(page, invoice)
    command(page, "Cancel Invoice").click()
    dialog = page.get_by_test_id("dialog-cancel")
    expect(dialog).to_contain_text("can't be reopened")
    dialog.get_by_role("button", name="OK").click()

    expect(page.get_by_test_id("record-state")).to_have_text("Canceled")
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(command(page, "Cancel Invoice")).to_have_count(0)
    expect(command(page, "Invoice Paid")).to_have_count(0)
    expect(page.get_by_test_id("record-number")).to_have_text(invoice.invoice_number)  # keeps its number
    shoot()
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.CANCELED
