"""Issue 13, lists, in Chromium: a rep chooses a view, changes the columns (kept on the next visit),
exports the view to Excel, and bulk-assigns ticked invoices (the boss's one is skipped with the reason);
a manager then assigns the boss's one. Saves var/screenshots/<test>-*.png.
"""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories
from tests.e2e.browser import login

pytestmark = pytest.mark.browser


def headers(page) -> list[str]:
    cells = page.get_by_test_id("list-table").locator("thead th:not(.bulk-select)")
    return [t.replace("▲", "").replace("▼", "").strip() for t in cells.all_inner_texts()]


def test_views_columns_export_and_bulk_assign(page, shoot, rep, boss, account, opportunity):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    theirs = services.document_create(Invoice, by=boss, customer=account, name="Boss invoice")
    colleague = factories.salesperson("sam")
    login(page, rep.username)
    page.goto("/invoices/")
    expect(page.get_by_test_id("list-title")).to_have_text("My Open Invoices")
    expect(page.get_by_test_id("list-row")).to_have_count(1)

    # a system view
    page.get_by_test_id("view-selector").select_option(label="All Invoices")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("list-title")).to_have_text("All Invoices")
    expect(page.get_by_test_id("list-row")).to_have_count(2)
    shoot("view")

    # the column chooser: hide Created On and Currency, move Total Amount to the front
    page.get_by_test_id("column-chooser").locator("summary").click()
    page.get_by_test_id("column-created-on").uncheck()
    page.get_by_test_id("column-currency").uncheck()
    for _ in range(8):
        page.get_by_test_id("column-up-total-amount").click()
    shoot("columns")
    page.get_by_test_id("columns-save").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Columns saved.")
    chosen = headers(page)
    assert chosen[0] == "Total Amount"
    assert "Created On" not in chosen and "Currency" not in chosen
    page.goto("/invoices/?view=all")  # kept on the next visit
    assert headers(page) == chosen

    # Export to Excel: the view and the chosen columns
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.startswith("all-invoices-") and download.suggested_filename.endswith(
        ".xlsx"
    )
    with open(download.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == chosen
    assert len(rows) == 3

    # bulk Assign: mine goes to sam, the boss's is skipped with the reason
    page.get_by_test_id("select-all").check()
    expect(page.get_by_test_id("bulk-count")).to_have_text("2 selected")
    page.get_by_test_id("bulk-assign").click()
    page.get_by_test_id("assign-owner").select_option(label=colleague.username)
    shoot("assign")
    page.get_by_test_id("bulk-assign-confirm").click()
    expect(page.get_by_test_id("assigned-count")).to_have_text("1")
    expect(page.get_by_test_id("skipped-count")).to_have_text("1")
    expect(page.get_by_test_id("assign-skipped")).to_contain_text(
        "Only the invoice's owner or a sales manager"
    )
    shoot("assigned")
    invoice.refresh_from_db()
    theirs.refresh_from_db()
    assert invoice.owner == colleague and theirs.owner == boss

    # a manager may assign anyone's
    page.context.clear_cookies()
    login(page, boss.username)
    page.goto("/invoices/?view=all&q=Boss")
    page.get_by_test_id("row-select").first.check()
    page.get_by_test_id("bulk-assign").click()
    page.get_by_test_id("assign-owner").select_option(label=colleague.username)
    page.get_by_test_id("bulk-assign-confirm").click()
    expect(page.get_by_test_id("assigned-count")).to_have_text("1")
    shoot("manager")
    page.get_by_test_id("back-to-list").click()
    expect(page.get_by_test_id("list-row")).to_have_count(1)
    expect(page.get_by_test_id("list-row")).to_contain_text("sam")
    theirs.refresh_from_db()
    assert theirs.owner == colleague
