"""Issue #13, items 3 and 6 in a real browser: leaving edited fields asks first, Ctrl+S saves, a
command URL opened as a page leads back to its record, and a 300-character name without spaces
wraps instead of stretching the page. Saves var/screenshots/<test>.png."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests.e2e.browser import login

pytestmark = pytest.mark.browser

LONG = "Cat6PatchCable" * 21 + "XYZABC"  # 300 characters, not one space


@pytest.fixture
def long_invoice(rep, account):
    return services.document_create(Invoice, by=rep, customer=account, name=LONG)


def test_a_name_without_spaces_does_not_widen_the_record_page(page, shoot, rep, long_invoice):
    assert len(LONG) == 300
    login(page, rep.username)
    page.goto(reverse("invoice_detail", args=[long_invoice.pk]))
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
    shoot("long-name")


def test_leaving_edited_fields_asks_and_ctrl_s_saves(page, shoot, rep, long_invoice):
    login(page, rep.username)
    page.goto(reverse("invoice_detail", args=[long_invoice.pk]))
    name = page.locator("[form=header-form][name=name]")
    name.click()
    name.press("Control+a")
    page.keyboard.type("Consulting, revised")  # typed: the page sees the user's edit

    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_test_id("sitemap").get_by_role("link", name="Invoices", exact=True).first.click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert "/invoices/" in page.url and str(long_invoice.pk) in page.url
    page.remove_listener("dialog", answer)

    name.press("Control+s")
    expect(page.get_by_test_id("messages")).to_contain_text("Saved.")
    long_invoice.refresh_from_db()
    assert long_invoice.name == "Consulting, revised"
    shoot("ctrl-s-saved")

    # Saved: leaving now asks nothing.
    page.get_by_test_id("sitemap").get_by_role("link", name="Invoices", exact=True).first.click()
    expect(page).to_have_url(reverse("invoice_list"))


def test_a_command_url_opened_as_a_page_leads_back_to_the_record(page, shoot, rep, long_invoice):
    login(page, rep.username)
    page.goto(reverse("invoice_lock_pricing", args=[long_invoice.pk]))
    expect(page.get_by_role("heading", name="This address runs a command")).to_be_visible()
    shoot("command-opened-as-page")
    page.get_by_role("link", name="Open the record").click()
    expect(page).to_have_url(reverse("invoice_detail", args=[long_invoice.pk]))
