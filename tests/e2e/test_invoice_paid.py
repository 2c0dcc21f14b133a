"""Issue 3 browser procedure (d): Invoice Paid is a manager's; Partial makes the invoice read-only.

Starting data is built through the services; the procedure itself goes through the screens.
Saves var/screenshots/<test>.png.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from salesapp.core import formatting as fmt
from salesapp.sales import services
from salesapp.sales.states import InvoiceState
from tests.e2e.browser import command, csrf_post, login, money, open_invoice

pytestmark = pytest.mark.browser


def test_invoice_paid_is_for_managers_then_read_only(page, another_page, shoot, rep, boss, opportunity):
    """As a salesperson Invoice Paid isn't offered and its URL is refused; a manager's Partial payment
    makes the invoice read-only."""
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    login(page, rep.username)
    open_invoice(page, invoice)
    expect(command(page, "Lock Pricing")).to_have_count(1)  # the bar is there …
    expect(command(page, "Invoice Paid")).to_have_count(0)  # … without the manager's commands
    expect(command(page, "Cancel Invoice")).to_have_count(0)
    refused = csrf_post(
        page,
        reverse("invoice_paid", args=[invoice.pk]),
        {
            "paid-row_version": str(invoice.row_version),
            "paid-status": "100001",
        },
    )
    assert refused.status == 403
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ACTIVE and invoice.amount_paid == 0

    manager = another_page()
    login(manager, boss.username)
    open_invoice(manager, invoice)
    paid_on = timezone.localdate()
    command(manager, "Invoice Paid").click()
    dialog = manager.get_by_test_id("dialog-paid")
    dialog.get_by_label("Partial").check()
    dialog.get_by_label("Date paid").fill(paid_on.isoformat())
    dialog.get_by_label("Amount paid").fill("100.00")
    dialog.get_by_role("button", name="OK").click()

    expect(manager.get_by_test_id("record-state")).to_have_text("Paid")
    expect(manager.get_by_test_id("record-status")).to_have_text("Partial")
    expect(manager.get_by_test_id("read-only")).to_be_visible()
    expect(manager.get_by_test_id("amount_paid")).to_have_text(money("100.00"))
    expect(manager.get_by_test_id("quick-create")).to_have_count(0)
    expect(
        manager.get_by_test_id("products-grid").get_by_role("button", name=re.compile("^Delete"))
    ).to_have_count(0)
    for label in (
        "Save",
        "Get Products",
        "Lock Pricing",
        "Use Current Pricing",
        "Invoice Paid",
        "Cancel Invoice",
    ):
        expect(command(manager, label)).to_have_count(0)
    expect(manager.locator("input[name=name]")).to_be_disabled()
    shoot(of=manager)
    expect(manager.get_by_test_id("date_paid")).to_have_text(fmt.day(paid_on))
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_paid, invoice.date_paid) == (
        InvoiceState.PAID,
        Decimal("100.00"),
        paid_on,
    )
