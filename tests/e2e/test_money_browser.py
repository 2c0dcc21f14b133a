"""Issue #11 in the browser: a manager records payments and a credit note through the real dialogs; a
salesperson doesn't get those commands and their URLs refuse them.

Starting data is built through the services; the procedures go through the screens.
Saves var/screenshots/<test>-<step>.png.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.models import CreditNote, Invoice, Payment
from salesapp.sales.states import InvoiceState, InvoiceStatus
from tests.e2e.browser import command, csrf_post, go, login, money, open_invoice

pytestmark = pytest.mark.browser


def test_a_manager_adds_payments_until_paid_complete(page, shoot, rep, boss, opportunity):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    assert invoice.total_amount == Decimal("255.00")
    login(page, boss.username)
    open_invoice(page, invoice)
    expect(page.get_by_test_id("balance_due")).to_have_text(money("255.00"))

    command(page, "Invoice Paid").click()
    dialog = page.get_by_test_id("dialog-paid")
    dialog.get_by_label("Partial").check()
    dialog.get_by_label("Amount paid").fill("100.00")
    dialog.get_by_label("Payment method").select_option(label="Check")
    dialog.get_by_label("Reference").fill("CHK-1001")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_test_id("record-status")).to_have_text("Partial")
    expect(page.get_by_test_id("balance_due")).to_have_text(money("155.00"))

    # Add Payment: more than the balance is refused at the Amount field and the dialog stays open
    command(page, "Add Payment").click()
    dialog = page.get_by_test_id("dialog-add-payment")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Amount").fill("500.00")
    dialog.get_by_role("button", name="OK").click()
    dialog = page.get_by_test_id("dialog-add-payment")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#div_id_add-payment-amount")).to_contain_text("is more than the balance due")
    shoot("refused")
    assert Payment.objects.filter(invoice=invoice).count() == 1

    dialog.get_by_label("Amount").fill("55.00")
    dialog.get_by_label("Payment method").select_option(label="Card")
    dialog.get_by_label("Reference").fill("card 42")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_test_id("balance_due")).to_have_text(money("100.00"))
    expect(page.get_by_test_id("payment")).to_have_count(2)

    command(page, "Add Payment").click()
    dialog = page.get_by_test_id("dialog-add-payment")
    expect(dialog.get_by_label("Amount")).to_have_value("100.00")  # offered: the balance due
    dialog.get_by_label("Payment method").select_option(label="Bank transfer")
    dialog.get_by_role("button", name="OK").click()

    expect(page.get_by_test_id("record-status")).to_have_text("Complete")
    expect(page.get_by_test_id("amount_paid")).to_have_text(money("255.00"))
    expect(page.get_by_test_id("balance_due")).to_have_text(money("0.00"))
    payments = page.get_by_test_id("payment")
    expect(payments).to_have_count(3)
    expect(payments.nth(0)).to_contain_text("CHK-1001")
    expect(payments.nth(1)).to_contain_text("Card")
    expect(command(page, "Add Payment")).to_have_count(0)
    expect(page.locator('[data-testid=timeline-event][data-kind="payment"]')).to_have_count(3)
    shoot("complete")
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.state, invoice.status, invoice.balance_due) == (
        InvoiceState.PAID,
        InvoiceStatus.COMPLETE,
        Decimal("0.00"),
    )


def test_a_manager_credits_one_unit_of_one_line(page, shoot, rep, boss, opportunity, product):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    login(page, boss.username)
    open_invoice(page, invoice)
    command(page, "Create Credit Note").click()
    dialog = page.get_by_test_id("dialog-credit")
    expect(dialog.get_by_test_id("credit-line")).to_have_count(2)
    expect(dialog.get_by_label(product.name)).to_have_value("2")
    expect(dialog.get_by_label("Installation")).to_have_value("1")
    # too much of a line: the message comes back next to that line
    dialog.get_by_label(product.name).fill("3")
    dialog.get_by_role("button", name="OK").click()
    dialog = page.get_by_test_id("dialog-credit")
    expect(dialog).to_be_visible()
    row = dialog.get_by_test_id("credit-line").filter(has_text=product.name)
    expect(row).to_contain_text("can be credited for at most 2")
    shoot("refused")
    assert not CreditNote.objects.exists()

    dialog.get_by_label(product.name).fill("1")
    dialog.get_by_label("Installation").fill("0")
    dialog.get_by_label("Reason").fill("One unit came back")
    dialog.get_by_role("button", name="OK").click()

    note = CreditNote.objects.get(invoice=invoice)
    expect(page).to_have_url(re.compile(rf"/creditnotes/{note.pk}/$"))
    expect(page.get_by_test_id("record-number")).to_have_text(note.credit_note_number)
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.get_by_test_id("prices-locked")).to_have_count(0)
    expect(page.get_by_test_id("credit-reason")).to_have_text("One unit came back")
    expect(page.get_by_test_id("totals").get_by_test_id("total_amount")).to_have_text(money("100.00"))
    expect(page.get_by_test_id("products-grid")).to_contain_text(product.name)
    expect(page.get_by_test_id("products-grid")).not_to_contain_text("Installation")
    expect(command(page, "Assign")).to_have_count(1)
    shoot("credit-note")

    page.get_by_test_id("credited-invoice").click()
    expect(page.get_by_test_id("amount_credited")).to_have_text(money("100.00"))
    expect(page.get_by_test_id("balance_due")).to_have_text(money("155.00"))
    expect(page.get_by_test_id("credit-note")).to_contain_text(note.credit_note_number)
    expect(command(page, "Cancel Invoice")).to_have_count(0)
    expect(page.get_by_test_id("cancel-note")).to_contain_text("credit notes")
    shoot("invoice")

    go(page, "Credit Notes")
    expect(page.get_by_role("row").filter(has_text=note.credit_note_number)).to_contain_text(
        invoice.invoice_number
    )


def test_a_salesperson_gets_neither_command_and_the_urls_refuse(page, shoot, rep, boss, opportunity):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    services.invoice_mark_paid(
        invoice=invoice, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal("100.00")
    )
    invoice = Invoice.objects.get(pk=invoice.pk)
    login(page, rep.username)
    page.goto(reverse("invoice_detail", args=[invoice.pk]))  # Paid: not in "My Open Invoices"
    expect(page.get_by_test_id("balance_due")).to_have_text(money("155.00"))
    expect(page.get_by_test_id("payment")).to_have_count(1)  # the rep reads the payments …
    expect(command(page, "Assign")).to_have_count(1)  # … the bar is there …
    for label in ("Add Payment", "Create Credit Note", "Invoice Paid", "Cancel Invoice"):
        expect(command(page, label)).to_have_count(0)  # … without the manager's commands
    shoot()
    line = invoice.lines.first()
    for name, data in (
        ("invoice_add_payment", {"add-payment-amount": "10.00"}),
        ("invoice_credit", {f"credit-line_{str(line.pk).replace('-', '')}": "1"}),
    ):
        prefix = "add-payment" if name == "invoice_add_payment" else "credit"
        refused = csrf_post(
            page,
            reverse(name, args=[invoice.pk]),
            {f"{prefix}-row_version": str(invoice.row_version), **data},
        )
        assert refused.status == 403, name
    after = Invoice.objects.get(pk=invoice.pk)
    assert (after.amount_paid, after.amount_credited, after.row_version) == (
        Decimal("100.00"),
        Decimal("0.00"),
        invoice.row_version,
    )
    assert not CreditNote.objects.exists() and Payment.objects.filter(invoice=invoice).count() == 1
