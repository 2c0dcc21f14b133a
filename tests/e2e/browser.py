"""What a user does in the browser, as helpers for the procedures in tests/e2e (Playwright sync API)."""

import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "pw-salesapp-123"  # tests.factories.UserFactory's password
INVOICE_URL = re.compile(r"/invoices/[0-9a-f-]{36}/$")


def screenshot(page, name: str) -> Path:
    """Save the whole page as var/screenshots/<name>.png (the acceptance asks for one per procedure)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")  # else sticky bars are drawn mid-page in a full-page shot
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a user does."""
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit], input[type=submit]"
    ).first.click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"login as {username} failed: still on {page.url}"


def logout(page) -> None:
    page.context.clear_cookies()


def go(page, section: str) -> None:
    """Open a list from the left site map, as a user does (Orders, Invoices, Price Lists …)."""
    page.get_by_test_id("sitemap").get_by_role("link", name=section, exact=True).first.click()
    page.wait_for_load_state()


def command(page, label: str):
    """A button (or link) of the record's command bar, by its D365 label."""
    bar = page.get_by_test_id("command-bar")
    return bar.get_by_role("button", name=label, exact=True).or_(
        bar.get_by_role("link", name=label, exact=True)
    )


def csrf_post(page, url: str, data: dict[str, str] | None = None):
    """POST with the session's cookies and a valid CSRF token, as a hand-made form would: a refusal is
    then the server's role check, not CSRF."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(
        url,
        form={"csrfmiddlewaretoken": token, **(data or {})},
        headers={"X-CSRFToken": token, "Referer": page.url},
        max_redirects=0,
    )


def money(value: str):  # a compiled pattern
    """The text of a money cell: 1290.00 shows as "1,290.00" (or "1290.00"), nothing else around it."""
    shown = re.escape(f"{Decimal(value):,.2f}").replace(",", ",?")
    return re.compile(rf"^\s*{shown}\s*$")


def expect_totals(page, **expected: str) -> None:
    totals = page.get_by_test_id("totals")
    for name, value in expected.items():
        expect(totals.get_by_test_id(name)).to_have_text(money(value))


def open_invoice(page, invoice) -> None:
    """Invoices → the invoice's row."""
    go(page, "Invoices")
    page.get_by_role("row").filter(has_text=invoice.invoice_number).get_by_role("link").first.click()
    expect(page.get_by_test_id("record-number")).to_have_text(invoice.invoice_number)
