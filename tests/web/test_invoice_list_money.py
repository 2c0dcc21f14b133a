"""The invoice list's money (SPEC §10): Amount Paid and a sortable Balance Due column, the Overdue and
Balance Due views, and a query count that payments and credit notes don't change."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories

pytestmark = pytest.mark.django_db


def new_invoice(rep, account, name: str, price: str, *, currency=None, due=None) -> Invoice:
    extra = {"currency": currency, "price_list": None} if currency else {}
    inv = services.document_create(
        Invoice, by=rep, customer=account, name=name, due_date=due, invoice_date=due, **extra
    )
    services.line_add(
        document=inv, by=rep, write_in_name="Work", quantity=Decimal("1"), price_per_unit=Decimal(price)
    )
    inv.refresh_from_db()
    return inv


def table_rows(html: str) -> list[str]:
    body = html.split('data-testid="list-table"', 1)[1].split("</table>", 1)[0]
    return body.split('data-testid="list-row"')[1:]


def test_the_list_shows_amount_paid_and_balance_due_and_sorts_by_the_balance(client, boss, account):
    small = new_invoice(boss, account, "Small", "100.00")
    big = new_invoice(boss, account, "Big", "900.00")
    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€", exchange_rate=Decimal("0.5"))
    euro = new_invoice(boss, account, "Euro one", "300.00", currency=eur)  # 600.00 in the base currency
    services.payment_record(invoice=big, by=boss, amount=Decimal("150.00"))
    client.force_login(boss)
    page = client.get(reverse("invoice_list") + "?view=all&sort=-balance_due_base").content.decode()
    head = page.split("<thead", 1)[1].split("</thead>", 1)[0]
    assert "Amount Paid" in head and "Balance Due" in head
    rows = table_rows(page)
    # 750.00, 600.00 (EUR 300.00), 100.00: ranked by the base amount, shown in the invoice's currency
    assert [big.name in rows[0], euro.name in rows[1], small.name in rows[2]] == [True, True, True]
    assert "150.00" in rows[0] and "750.00" in rows[0]
    assert "EUR" in rows[1] and "300.00" in rows[1]
    ascending = table_rows(
        client.get(reverse("invoice_list") + "?view=all&sort=balance_due_base").content.decode()
    )
    assert small.name in ascending[0] and big.name in ascending[2]


def test_the_overdue_view_lists_open_invoices_past_their_due_date_only(client, boss, account):
    today = datetime.date.today()
    late = new_invoice(boss, account, "Late", "100.00", due=today - datetime.timedelta(days=3))
    paid_late = new_invoice(boss, account, "Paid late", "100.00", due=today - datetime.timedelta(days=3))
    services.payment_record(invoice=paid_late, by=boss, amount=Decimal("100.00"))
    partly_late = new_invoice(
        boss, account, "Partly paid late", "100.00", due=today - datetime.timedelta(days=9)
    )
    services.payment_record(invoice=partly_late, by=boss, amount=Decimal("40.00"))
    not_yet = new_invoice(boss, account, "Not due yet", "100.00", due=today + datetime.timedelta(days=3))
    credited = new_invoice(boss, account, "Credited", "100.00", due=today - datetime.timedelta(days=3))
    services.credit_note_create(invoice=credited, by=boss)
    client.force_login(boss)
    page = client.get(reverse("invoice_list") + "?view=overdue&sort=due_date").content.decode()
    assert "Overdue Invoices" in page
    names = " ".join(table_rows(page))
    assert late.name in names and partly_late.name in names
    for other in (paid_late, not_yet, credited):
        assert f">{other.name}<" not in names, other.name
    rows = table_rows(page)
    assert partly_late.name in rows[0]  # the oldest due date first
    # "with balance due": the overdue ones and the one not due yet
    names = " ".join(table_rows(client.get(reverse("invoice_list") + "?view=balance").content.decode()))
    assert all(f">{i.name}<" in names for i in (late, partly_late, not_yet))
    assert f">{paid_late.name}<" not in names and f">{credited.name}<" not in names


def list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_payments_and_credit_notes_add_no_queries_to_the_list_or_the_dashboard(client, boss, account):
    """2 invoices without payments, then 6 with payments and a credit note: the same count (a query
    per row, or per payment, would show)."""
    past = datetime.date(2020, 1, 1)  # every list and card has rows before and after
    invoices = [new_invoice(boss, account, f"Invoice {i}", "100.00", due=past) for i in range(2)]
    client.force_login(boss)
    urls = [
        reverse("invoice_list") + "?view=all",
        reverse("invoice_list") + "?view=overdue",
        reverse("invoice_list") + "?view=all&sort=-balance_due_base",
        reverse("home"),
    ]
    before = [list_queries(client, url) for url in urls]
    invoices += [new_invoice(boss, account, f"Invoice {i}", "100.00", due=past) for i in range(2, 6)]
    for inv in invoices[:4]:
        services.payment_record(invoice=inv, by=boss, amount=Decimal("10.00"))
        inv.refresh_from_db()
        services.payment_record(invoice=inv, by=boss, amount=Decimal("20.00"))
    services.credit_note_create(invoice=invoices[4], by=boss)
    after = [list_queries(client, url) for url in urls]
    assert after == before
    page = client.get(reverse("invoice_list") + "?view=all").content.decode()
    assert page.count("70.00") >= 4  # the balance of each partly paid invoice is on the page
