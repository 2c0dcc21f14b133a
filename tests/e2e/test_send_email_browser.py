"""Send by Email and Download PDF from the invoice page, in Chromium (Playwright).

Tasks run in-process here (no broker) and mail goes to Django's test outbox; the worker path is
covered by test_email_worker_integration.py. Saves var/screenshots/<test>.png.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from salesapp.documents.models import Delivery, DeliveryState
from salesapp.sales import services
from tests.e2e.browser import login

pytestmark = pytest.mark.browser


def test_send_by_email_from_the_invoice_page(page, shoot, rep, opportunity, account):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    login(page, rep.username)
    page.goto(f"/invoices/{invoice.pk}/")
    expect(page.get_by_test_id("deliveries")).to_contain_text("Not emailed yet")

    page.get_by_test_id("send-by-email").click()
    dialog = page.locator(f"#send-email-dialog-{invoice.pk}")
    expect(dialog.get_by_label("To")).to_have_value(account.email)
    expect(dialog.get_by_label("Subject")).to_have_value(f"Invoice {invoice.invoice_number} from Contoso Ltd")
    dialog.get_by_label("Cc").fill("not an address")
    dialog.get_by_test_id("send-email-submit").click()
    expect(dialog).to_contain_text("Cc: “not an address” is not a valid email address.")
    shoot("bad-cc")
    dialog.get_by_label("Cc").fill("")
    dialog.get_by_test_id("send-email-submit").click()
    expect(dialog.get_by_test_id("email-queued")).to_be_visible()
    expect(dialog).to_be_hidden()

    row = page.get_by_test_id("delivery")
    expect(row.get_by_test_id("delivery-state")).to_have_text("Sent")
    expect(row).to_contain_text(account.email)
    shoot()
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == f"{invoice.invoice_number}.pdf"
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_failed_delivery_shows_its_error_and_retry_sends_it(page, shoot, rep, opportunity):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    Delivery.objects.create(
        invoice=invoice,
        to="ap@customer.example",
        subject="Invoice",
        state=DeliveryState.FAILED,
        attempts=6,
        last_error="SMTP 451 4.3.0 try later",
    )
    login(page, rep.username)
    page.goto(f"/invoices/{invoice.pk}/")
    row = page.get_by_test_id("delivery")
    expect(row.get_by_test_id("delivery-state")).to_have_text("Failed")
    expect(row.get_by_test_id("delivery-error")).to_have_text("SMTP 451 4.3.0 try later")
    shoot("failed")

    row.get_by_test_id("delivery-retry").click()

    expect(page.get_by_test_id("delivery").get_by_test_id("delivery-state")).to_have_text("Sent")
    expect(page.get_by_test_id("delivery-retry")).to_have_count(0)
    assert len(mail.outbox) == 1


def test_download_pdf_from_the_invoice_page(page, rep, opportunity):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    login(page, rep.username)
    page.goto(f"/invoices/{invoice.pk}/")

    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()

    assert download.value.suggested_filename == f"{invoice.invoice_number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
