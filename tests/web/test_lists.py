"""Lists (issue 13): system views, the column chooser kept per user, Export to Excel / CSV and bulk Assign."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesapp.core.models import ListPreference
from salesapp.core.views.exports import safe_text
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity
from tests import factories
from tests.api.helpers import clone_invoices

pytestmark = pytest.mark.django_db

INVOICES = "/invoices/"


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(_content(response)))
    return book.worksheets[0]


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _headers(client, url: str) -> list[str]:
    """The column headers of the list's table (the select-all box's cell left out)."""
    html = client.get(url).content.decode()
    head = html.split('data-testid="list-table"')[1].split("</thead>")[0]
    cells = re.findall(r"<th scope=\"col\" class=\"([^\"]*)\">(.*?)</th>", head, re.S)
    return [re.sub(r"<[^>]+>|[▲▼]", "", text).strip() for cls, text in cells if "bulk-select" not in cls]


# --- system views ------------------------------------------------------------------------------------


def test_every_document_list_has_my_open_and_all_views_and_closed_this_month_where_it_means_something(
    client, rep
):
    client.force_login(rep)
    expected = {
        "/opportunities/": [
            "My Open Opportunities",
            "Open Opportunities",
            "All Opportunities",
            "Opportunities Closed This Month",
        ],
        "/quotes/": ["My Open Quotes", "Open Quotes", "All Quotes", "Quotes Won This Month"],
        "/orders/": ["My Open Orders", "Open Orders", "All Orders"],
        INVOICES: [
            "My Open Invoices",
            "Open Invoices",
            "All Invoices",
            "Invoices Paid This Month",
            "Overdue Invoices",
        ],
        "/accounts/": ["All Accounts", "My Accounts"],
        "/contacts/": ["All Contacts", "My Contacts"],
    }
    for url, labels in expected.items():
        html = client.get(url).content.decode()
        selector = html.split('data-testid="view-selector"')[1].split("</select>")[0]
        for label in labels:
            assert f">{label}</option>" in selector, (url, label)


def test_opportunities_closed_this_month_are_the_won_and_lost_ones_closed_this_month(
    client, rep, account, opportunity
):
    won = services.document_create(Opportunity, by=rep, customer=account, name="Won deal")
    services.opportunity_win(opportunity=won, by=rep)
    lost_long_ago = services.document_create(Opportunity, by=rep, customer=account, name="Old loss")
    services.opportunity_lose(
        opportunity=lost_long_ago, by=rep, close_date=timezone.localdate() - datetime.timedelta(days=70)
    )
    client.force_login(rep)
    html = client.get("/opportunities/?view=closed-month").content.decode()
    assert "Won deal" in html
    assert "Old loss" not in html
    assert "Big deal" not in html  # still open


def test_invoices_paid_this_month_and_my_accounts(client, rep, boss, invoice, account):
    services.invoice_mark_paid(invoice=invoice, by=boss)
    unpaid = services.document_create(Invoice, by=rep, customer=account, name="Unpaid one")
    client.force_login(rep)
    html = client.get(INVOICES + "?view=closed-month").content.decode()
    assert invoice.invoice_number in html and unpaid.invoice_number not in html

    mine = factories.AccountFactory(name="Mine Ltd", owner=rep)
    factories.AccountFactory(name="Theirs Ltd", owner=boss)
    html = client.get("/accounts/?view=my").content.decode()
    assert mine.name in html and "Theirs Ltd" not in html
    assert "Theirs Ltd" in client.get("/accounts/").content.decode()  # All Accounts is the default


# --- the column chooser ---------------------------------------------------------------------------------


def test_chosen_columns_are_kept_per_user_in_their_order_and_reset_to_the_default(client, rep, boss, invoice):
    client.force_login(rep)
    default = _headers(client, INVOICES)
    assert default[:2] == ["Invoice ID", "Name"]
    response = client.post(INVOICES + "?view=all", {"columns": ["total-amount", "invoice-id", "customer"]})
    assert response.status_code == 302 and response["Location"] == INVOICES + "?view=all"
    assert _headers(client, INVOICES) == ["Total Amount", "Invoice ID", "Customer"]
    assert ListPreference.objects.get(user=rep, list_name="invoice_list").columns == [
        "total-amount",
        "invoice-id",
        "customer",
    ]
    # another user, and another list, keep their defaults
    client.force_login(boss)
    assert _headers(client, INVOICES) == default
    client.force_login(rep)
    assert _headers(client, "/quotes/")[0] == "Quote ID"
    # reset
    client.post(INVOICES, {"reset_columns": "1", "columns": ["name"]})
    assert _headers(client, INVOICES) == default
    assert not ListPreference.objects.filter(user=rep).exists()


def test_a_bad_column_choice_says_so_and_saves_nothing(client, rep):
    client.force_login(rep)
    for data in ({"columns": ["total-amount", "password"]}, {}):
        response = client.post(INVOICES, data, follow=True)
        assert "Columns: choose at least one of the list&#x27;s columns." in response.content.decode()
    assert not ListPreference.objects.exists()


def test_a_column_removed_since_it_was_chosen_is_dropped(client, rep, invoice):
    ListPreference.objects.create(user=rep, list_name="invoice_list", columns=["gone", "name"])
    client.force_login(rep)
    assert _headers(client, INVOICES) == ["Name"]


# --- Export to Excel / CSV ------------------------------------------------------------------------------


def test_export_to_excel_has_numbers_as_numbers_dates_as_dates_and_every_row_of_the_view(
    client, rep, invoice
):
    clone_invoices(invoice, 60)  # more than a page (50)
    client.force_login(rep)
    sheet = _xlsx(client.get(INVOICES + "?view=all&export=xlsx&page=2"))
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[:3] == ["Invoice ID", "Name", "Customer"]
    assert len(rows) == 1 + 61
    total = rows[1][header.index("Total Amount")]
    assert total.data_type == "n" and Decimal(str(total.value)) == invoice.total_amount
    assert total.number_format == "#,##0.00"
    created = rows[1][header.index("Created On")]
    assert created.is_date and created.value.date() == timezone.localdate()
    assert rows[0][0].font.b  # a bold header


def test_export_follows_the_views_search_sort_and_the_chosen_columns(client, rep, boss, account, invoice):
    other = services.document_create(Invoice, by=boss, customer=account, name="Another one")
    client.force_login(rep)
    client.post(INVOICES, {"columns": ["name", "total-amount"]})
    sheet = _xlsx(client.get(INVOICES + "?view=all&export=xlsx&sort=-name"))
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Name", "Total Amount"]
    assert [row[0] for row in values[1:]] == ["Invoice for web", "Another one"]  # sorted by name, desc
    # the search and the rep's own view
    rows = _csv(client.get(INVOICES + "?view=all&export=csv&q=Another"))
    assert rows == [["Name", "Total Amount"], ["Another one", "0.00"]]
    rows = _csv(client.get(INVOICES + "?export=csv"))  # the rep's default view: My Open Invoices
    assert [r[0] for r in rows[1:]] == ["Invoice for web"]
    assert other.pk


def test_csv_and_xlsx_are_safe_against_formula_injection(client, rep, price_list):
    for name in ('=HYPERLINK("http://evil","x")', "+1 555 0100", "-2+3", "@SUM(A1)", "\tTab", "Plain"):
        factories.AccountFactory(name=name, default_price_list=price_list, phone="+1 555 0100")
    client.force_login(rep)
    rows = _csv(client.get("/accounts/?export=csv&sort=name"))
    names = {r[0] for r in rows[1:]}
    assert names == {
        '\'=HYPERLINK("http://evil","x")',
        "'+1 555 0100",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTab",
        "Plain",
    }
    assert all(r[2] == "'+1 555 0100" for r in rows[1:])
    # Excel: the text exactly as typed, as text (never a formula)
    sheet = _xlsx(client.get("/accounts/?export=xlsx"))
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
    ],
)
def test_safe_text(text, safe):
    assert safe_text(text) == safe


def test_export_of_negative_amounts_stays_a_number_in_csv(client, rep, invoice):
    Invoice.objects.filter(pk=invoice.pk).update(balance_due=Decimal("-12.5"))
    client.force_login(rep)
    client.post(INVOICES, {"columns": ["balance-due"]})
    assert _csv(client.get(INVOICES + "?view=all&export=csv"))[1] == ["-12.50"]


def test_export_needs_a_sales_role(client, nobody, invoice):
    client.force_login(nobody)
    assert client.get(INVOICES + "?view=all&export=xlsx").status_code in (302, 403)
    client.logout()
    response = client.get(INVOICES + "?export=csv")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- bulk Assign ----------------------------------------------------------------------------------------


def test_bulk_assign_asks_for_the_owner_then_assigns_through_the_service_and_skips_others_records(
    client, rep, boss, account, invoice
):
    theirs = services.document_create(Invoice, by=boss, customer=account, name="The boss's")
    colleague = factories.salesperson("sam")
    client.force_login(rep)
    url = reverse("invoice_bulk_assign")
    ids = [str(invoice.pk), str(theirs.pk)]
    page = client.post(url, {"ids": ids, "next": INVOICES})
    assert page.status_code == 200 and 'data-testid="assign-owner"' in page.content.decode()
    assert "norole" not in page.content.decode()
    done = client.post(url, {"ids": ids, "owner": colleague.pk, "next": INVOICES})
    html = done.content.decode()
    assert 'data-testid="assigned-count">1<' in html and 'data-testid="skipped-count">1<' in html
    assert "Only the invoice&#x27;s owner or a sales manager may assign it." in html
    invoice.refresh_from_db()
    theirs.refresh_from_db()
    assert invoice.owner == colleague and theirs.owner == boss


def test_a_manager_assigns_anyones_records_accounts_too(client, rep, boss, invoice, account):
    account.owner = rep
    account.save()
    client.force_login(boss)
    done = client.post(reverse("invoice_bulk_assign"), {"ids": [invoice.pk], "owner": boss.pk})
    assert 'data-testid="assigned-count">1<' in done.content.decode()
    done = client.post(reverse("account_bulk_assign"), {"ids": [account.pk], "owner": boss.pk})
    assert 'data-testid="assigned-count">1<' in done.content.decode()
    invoice.refresh_from_db()
    account.refresh_from_db()
    assert invoice.owner == boss and account.owner == boss


def test_bulk_assign_refuses_a_bad_owner_and_an_empty_selection(client, rep, nobody, invoice):
    client.force_login(rep)
    url = reverse("invoice_bulk_assign")
    for owner in (nobody.pk, "x", "99999999999999999999", ""):
        response = client.post(url, {"ids": [invoice.pk], "owner": owner})
        assert response.status_code == 400
        assert "Owner: choose an active user with a sales role." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.owner == rep
    response = client.post(url, {"ids": ["not-a-uuid"]}, follow=True)
    assert "Select at least one invoice first." in response.content.decode()
    assert client.get(url).status_code == 405


def test_bulk_assign_needs_a_sales_role(client, nobody, invoice):
    client.force_login(nobody)
    response = client.post(reverse("invoice_bulk_assign"), {"ids": [invoice.pk], "owner": nobody.pk})
    assert response.status_code in (302, 403)
    invoice.refresh_from_db()
    assert invoice.owner != nobody


def test_every_entity_list_offers_assign_and_exports(client, rep):
    client.force_login(rep)
    for url in ("/opportunities/", "/quotes/", "/orders/", INVOICES, "/accounts/", "/contacts/"):
        html = client.get(url).content.decode()
        for testid in ("bulk-assign", "export-xlsx", "export-csv", "column-chooser"):
            assert f'data-testid="{testid}"' in html, (url, testid)


# --- query counts ---------------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            _content(response)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_list_queries_stay_constant_with_chosen_columns_and_exports(client, rep, invoice):
    ListPreference.objects.create(user=rep, list_name="invoice_list", columns=["customer", "owner", "name"])
    client.force_login(rep)
    urls = [INVOICES + "?view=all", INVOICES + "?view=all&export=xlsx", INVOICES + "?view=all&export=csv"]
    clone_invoices(invoice, 5)
    small = [_count(client, u) for u in urls]
    clone_invoices(invoice, 120, start=5)
    assert [_count(client, u) for u in urls] == small
