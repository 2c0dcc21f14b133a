"""A double click on the Send by Email dialog's Send queues one delivery (Chromium, Playwright)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from salesapp.documents.models import Delivery
from salesapp.sales import services
from tests.e2e.browser import login

pytestmark = pytest.mark.browser


def test_double_click_on_send_queues_one_delivery(page, shoot, rep, opportunity, account):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    login(page, rep.username)
    page.goto(f"/invoices/{invoice.pk}/")
    page.get_by_test_id("send-by-email").click()
    dialog = page.locator(f"#send-email-dialog-{invoice.pk}")
    expect(dialog.get_by_label("To")).to_have_value(account.email)

    dialog.get_by_test_id("send-email-submit").dblclick()

    expect(page.get_by_test_id("delivery").get_by_test_id("delivery-state")).to_have_text("Sent")
    page.wait_for_load_state("networkidle")
    shoot()
    assert Delivery.objects.count() == 1 and len(mail.outbox) == 1
    expect(page.get_by_test_id("delivery")).to_have_count(1)
