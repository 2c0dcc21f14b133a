"""Issue #11 through the screens: Invoice Paid with a method, Add Payment, Create Credit Note, the
credit note's page and list, and what the invoice page shows of them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salesapp.sales import services
from salesapp.sales.models import CreditNote, Invoice, Payment, PaymentMethod
from salesapp.sales.states import InvoiceState, InvoiceStatus

from .test_commands import post, shown

pytestmark = pytest.mark.django_db


def page_of(client, invoice, query: str = "") -> str:
    response = client.get(reverse("invoice_detail", args=[invoice.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def shows(page: str, testid: str, text: str) -> bool:
    return re.search(rf'data-testid="{testid}">\s*{re.escape(text)}\s*<', page) is not None


def fresh(invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def line_input(invoice, product_name: str) -> str:
    line = invoice.lines.get(
        **(
            {"product__name": product_name}
            if product_name != "Installation"
            else {"write_in_name": product_name}
        )
    )
    return f"line_{str(line.pk).replace('-', '')}"


# --- payments ---------------------------------------------------------------------------------------


def test_a_manager_records_three_partial_payments_through_the_screens_until_paid_complete(
    client, boss, invoice
):
    assert invoice.total_amount == Decimal("255.00")
    client.force_login(boss)
    page = page_of(client, invoice)
    assert shows(page, "amount_paid", "0.00") and shows(page, "balance_due", "255.00")
    assert 'data-command="add-payment"' not in page  # Add Payment is for Paid · Partial invoices
    page = shown(
        client,
        post(
            client,
            "invoice_paid",
            invoice,
            {
                "status": InvoiceStatus.PARTIAL,
                "amount": "100.00",
                "paid_on": "2026-01-15",
                "method": PaymentMethod.CHECK,
                "reference": "CHK-1001",
            },
        ),
    )
    invoice = fresh(invoice)
    assert (invoice.state, invoice.status) == (InvoiceState.PAID, InvoiceStatus.PARTIAL)
    assert shows(page, "amount_paid", "100.00") and shows(page, "balance_due", "155.00")
    assert 'data-command="add-payment"' in page and "CHK-1001" in page and "Check" in page

    page = shown(
        client,
        post(
            client,
            "invoice_add_payment",
            invoice,
            {
                "amount": "100.00",
                "paid_on": "2026-01-20",
                "method": PaymentMethod.CARD,
                "reference": "card 42",
            },
        ),
    )
    invoice = fresh(invoice)
    assert (invoice.state, invoice.status, invoice.balance_due) == (
        InvoiceState.PAID,
        InvoiceStatus.PARTIAL,
        Decimal("55.00"),
    )
    assert shows(page, "balance_due", "55.00") and "Payment recorded." in page

    page = shown(
        client,
        post(client, "invoice_add_payment", invoice, {"amount": "55.00", "method": PaymentMethod.CASH}),
    )
    invoice = fresh(invoice)
    assert (invoice.state, invoice.status, invoice.amount_paid, invoice.balance_due) == (
        InvoiceState.PAID,
        InvoiceStatus.COMPLETE,
        Decimal("255.00"),
        Decimal("0.00"),
    )
    assert invoice.date_paid == timezone.localdate()
    assert shows(page, "record-status", "Complete") and shows(page, "balance_due", "0.00")
    assert 'data-command="add-payment"' not in page  # nothing left to pay
    # the Payments section: one row each, oldest first, with amount, method, reference and who
    rows = re.findall(r'<tr data-testid="payment">(.*?)</tr>', page, re.S)
    assert len(rows) == 3
    assert "100.00" in rows[0] and "Check" in rows[0] and "CHK-1001" in rows[0] and boss.username in rows[0]
    assert "Card" in rows[1] and "card 42" in rows[1]
    assert "55.00" in rows[2] and "Cash" in rows[2]
    assert [p.method for p in Payment.objects.filter(invoice=invoice).order_by("paid_on", "created_on")] == [
        PaymentMethod.CHECK,
        PaymentMethod.CARD,
        PaymentMethod.CASH,
    ]
    # the timeline names the payments readably
    assert page.count('data-kind="payment"') == 3
    assert "Payment of" in page and "balance due" in page


def paid_partially(invoice, boss, amount: str = "100.00") -> Invoice:
    services.invoice_mark_paid(invoice=invoice, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal(amount))
    return fresh(invoice)


def test_a_refused_overpayment_names_the_amount_field_and_saves_nothing(client, boss, invoice):
    invoice = paid_partially(invoice, boss)
    client.force_login(boss)
    response = post(
        client, "invoice_add_payment", invoice, {"amount": "155.01", "method": PaymentMethod.CASH}
    )
    assert response.status_code == 200  # the dialog comes back, open, with the message at the field
    page = response.content.decode()
    assert 'data-open-dialog="add-payment"' in page
    field = re.search(r'<div class="mb-3" id="div_id_add-payment-amount">(.*?)</div></div>', page, re.S)
    assert field is not None and "is more than the balance due" in field.group(1)
    assert 'value="155.01"' in field.group(1) and "is-invalid" in field.group(1)
    assert Payment.objects.filter(invoice=invoice).count() == 1
    after = fresh(invoice)
    assert (after.amount_paid, after.balance_due, after.row_version) == (
        Decimal("100.00"),
        Decimal("155.00"),
        invoice.row_version,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "must be more than 0"),
        ({"amount": "-5"}, "amount", "must be more than 0"),
        ({"amount": "10", "paid_on": "2999-01-01"}, "paid_on", "in the future"),
    ],
)
def test_add_payment_refusals_show_next_to_the_field_they_name(client, boss, invoice, data, field, message):
    invoice = paid_partially(invoice, boss)
    client.force_login(boss)
    response = post(client, "invoice_add_payment", invoice, data)
    assert response.status_code == 200
    page = response.content.decode()
    shown_at = re.search(rf'id="div_id_add-payment-{field}">(.*?)</div></div>', page, re.S)
    assert shown_at is not None and message in shown_at.group(1)
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_salesperson_posting_add_payment_or_credit_gets_403_and_nothing_changes(client, rep, boss, invoice):
    invoice = paid_partially(invoice, boss)
    client.force_login(rep)
    page = page_of(client, invoice)
    assert 'data-command="add-payment"' not in page and 'data-command="credit"' not in page
    assert "Add Payment" not in page and "Create Credit Note" not in page
    line = line_input(invoice, "Installation")
    assert post(client, "invoice_add_payment", invoice, {"amount": "10.00"}).status_code == 403
    assert post(client, "invoice_credit", invoice, {line: "1"}).status_code == 403
    after = fresh(invoice)
    assert (after.amount_paid, after.amount_credited, after.row_version) == (
        Decimal("100.00"),
        Decimal("0.00"),
        invoice.row_version,
    )
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert not CreditNote.objects.filter(invoice=invoice).exists()
    # the manager sees both commands
    client.force_login(boss)
    page = page_of(client, invoice)
    assert 'data-command="add-payment"' in page and 'data-command="credit"' in page


def test_invoice_paid_stores_the_method_and_reference(client, boss, invoice):
    client.force_login(boss)
    shown(
        client,
        post(
            client,
            "invoice_paid",
            invoice,
            {"status": InvoiceStatus.COMPLETE, "method": PaymentMethod.DIRECT_DEBIT, "reference": "DD 7"},
        ),
    )
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.method, payment.reference, payment.owner) == (
        Decimal("255.00"),
        PaymentMethod.DIRECT_DEBIT,
        "DD 7",
        boss,
    )


# --- credit notes -----------------------------------------------------------------------------------


def test_a_credit_note_of_chosen_lines_with_a_reduced_quantity(client, boss, invoice, product):
    client.force_login(boss)
    page = page_of(client, invoice)
    # The dialog reads every line: it is built when opened (a link), not with every invoice page.
    assert 'data-testid="dialog-credit"' not in page
    opener = reverse("invoice_detail", args=[invoice.pk]) + "?dialog=credit"
    assert f'href="{opener}" data-command="credit"' in page
    page = page_of(client, invoice, "?dialog=credit")
    dialog = re.search(r'data-testid="dialog-credit">(.*?)</form>', page, re.S)
    assert dialog is not None and 'data-open-dialog="credit"' in page
    catalog, install = line_input(invoice, product.name), line_input(invoice, "Installation")
    # each line offers what is left to credit
    assert re.search(rf'name="credit-{catalog}" value="2"', dialog.group(1))
    assert re.search(rf'name="credit-{install}" value="1"', dialog.group(1))

    response = post(
        client,
        "invoice_credit",
        invoice,
        {catalog: "1", install: "0", "reason": "One unit came back", "credit_date": "2026-01-20"},
    )
    note = CreditNote.objects.get(invoice=invoice)
    assert response["Location"] == reverse("creditnote_detail", args=[note.pk])
    page = shown(client, response)
    assert note.total_amount == Decimal("100.00") and note.lines.count() == 1
    assert note.lines.get().quantity == Decimal("1")
    assert note.credit_note_number in page and "One unit came back" in page
    assert reverse("invoice_detail", args=[invoice.pk]) in page  # the invoice it credits
    assert shows(page, "total_amount", "100.00") and shows(page, "read-only", "Read-only")
    assert 'data-testid="quick-create"' not in page and ">Save<" not in page
    assert 'data-command="assign"' in page and 'data-command="credit"' not in page
    assert "Credit note created from invoice" in page

    invoice = fresh(invoice)
    assert (invoice.amount_credited, invoice.balance_due, invoice.state) == (
        Decimal("100.00"),
        Decimal("155.00"),
        InvoiceState.ACTIVE,
    )
    page = page_of(client, invoice)
    assert shows(page, "amount_credited", "100.00") and shows(page, "balance_due", "155.00")
    assert reverse("creditnote_detail", args=[note.pk]) in page
    assert re.search(
        rf'<tr data-testid="credit-note"><td><a href="[^"]+">{note.credit_note_number}</a>', page
    )
    assert 'data-kind="credited"' in page and "Open the credit note" in page
    # the dialog now offers only what is left: 1 of the catalog line, all of the write-in
    page = page_of(client, invoice, "?dialog=credit")
    dialog = re.search(r'data-testid="dialog-credit">(.*?)</form>', page, re.S)
    assert dialog is not None
    assert re.search(rf'name="credit-{catalog}" value="1"', dialog.group(1))


def test_crediting_more_than_is_left_shows_the_error_next_to_that_line(client, boss, invoice, product):
    client.force_login(boss)
    catalog, install = line_input(invoice, product.name), line_input(invoice, "Installation")
    response = post(client, "invoice_credit", invoice, {install: "1", catalog: "3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-open-dialog="credit"' in page
    # the service named lines[1].quantity (the second line sent): shown at the catalog line's input
    row = re.search(
        rf'<tr data-testid="credit-line">((?:(?!</tr>).)*name="credit-{catalog}"(?:(?!</tr>).)*)</tr>',
        page,
        re.S,
    )
    assert row is not None and "can be credited for at most 2" in row.group(1)
    other = re.search(
        rf'<tr data-testid="credit-line">((?:(?!</tr>).)*name="credit-{install}"(?:(?!</tr>).)*)</tr>',
        page,
        re.S,
    )
    assert other is not None and "invalid-feedback" not in other.group(1)
    assert not CreditNote.objects.exists()
    assert fresh(invoice).amount_credited == 0


def test_crediting_nothing_asks_for_a_quantity(client, boss, invoice, product):
    client.force_login(boss)
    catalog, install = line_input(invoice, product.name), line_input(invoice, "Installation")
    response = post(client, "invoice_credit", invoice, {install: "0", catalog: ""})
    assert response.status_code == 200
    assert "Enter a quantity to credit for at least one line." in response.content.decode()
    assert not CreditNote.objects.exists()


def test_the_credit_notes_list_and_nav(client, rep, boss, invoice):
    note = services.credit_note_create(invoice=invoice, by=boss, reason="All of it")
    client.force_login(rep)
    page = client.get(reverse("creditnote_list")).content.decode()
    assert note.credit_note_number in page and invoice.invoice_number in page
    assert reverse("creditnote_detail", args=[note.pk]) in page
    nav = re.search(r'data-testid="sitemap">(.*?)</nav>', page, re.S)
    assert nav is not None
    assert (
        nav.group(1).index(">Invoices<")
        < nav.group(1).index(">Credit Notes<")
        < nav.group(1).index("Catalog")
    )
    page = client.get(reverse("creditnote_detail", args=[note.pk])).content.decode()
    assert shows(page, "total_amount", "255.00") and "Installation" in page
    # a header post to a credit note changes nothing
    client.post(
        reverse("creditnote_detail", args=[note.pk]), {"row_version": note.row_version, "name": "Changed"}
    )
    note.refresh_from_db()
    assert note.name != "Changed"


# --- Cancel Invoice, Overdue ------------------------------------------------------------------------


def test_a_sent_invoice_offers_create_credit_note_instead_of_cancel(client, boss, invoice):
    client.force_login(boss)
    page = page_of(client, invoice)
    assert 'data-command="cancel"' in page and 'data-testid="cancel-note"' not in page
    Invoice.objects.filter(pk=invoice.pk).update(first_sent_on=timezone.now())
    page = page_of(client, invoice)
    assert 'data-command="cancel"' not in page and 'data-command="credit"' in page
    note = re.search(r'data-testid="cancel-note">(.*?)<', page, re.S)
    assert note is not None and "create a credit note instead" in note.group(1)


def test_a_credited_invoice_says_why_it_cant_be_canceled(client, boss, invoice):
    services.credit_note_create(
        invoice=invoice,
        by=boss,
        lines=[{"invoice_detail": invoice.lines.first().pk, "quantity": Decimal("1")}],
    )
    client.force_login(boss)
    page = page_of(client, invoice)
    assert 'data-command="cancel"' not in page
    assert "has credit notes, so it can&#x27;t be canceled" in page


def test_an_overdue_invoice_shows_the_badge(client, rep, invoice):
    client.force_login(rep)
    assert 'data-testid="overdue"' not in page_of(client, invoice)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    assert 'data-testid="overdue"' in page_of(client, invoice)


# --- query counts -----------------------------------------------------------------------------------


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def money_queries(sqls: list[str]) -> list[str]:
    """The queries that read payments or credit notes (FROM them, not a join into them)."""
    return [q for q in sqls if re.search(r'FROM "sales_(payment|creditnote)"', q)]


def with_money(invoice, boss, payments: int, credit_notes: int) -> Invoice:
    """`payments` Partial payments of 1.00, then `credit_notes` credit notes of the write-in line's tenth."""
    for i in range(payments):
        services.payment_record(invoice=fresh(invoice), by=boss, amount=Decimal("1.00"), reference=f"P{i}")
    line = invoice.lines.get(write_in_name="Installation")
    for _ in range(credit_notes):
        services.credit_note_create(
            invoice=fresh(invoice), by=boss, lines=[{"invoice_detail": line.pk, "quantity": Decimal("0.1")}]
        )
    return fresh(invoice)


def test_the_invoice_page_issues_the_same_queries_with_0_and_with_3_payments_and_2_credit_notes(
    client, rep, boss, opportunity
):
    """The Payments and Credit notes sections are read in one query each, whatever their number.

    An invoice with payments is Paid (read-only, other commands) and one without is Active, so the
    whole page is compared between 1 payment + 1 credit note and 3 + 2 (same state, same commands),
    and the queries reading payments and credit notes between 0 and 3 + 2.
    """
    empty = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    few = with_money(services.opportunity_generate_invoice(opportunity=opportunity, by=rep), boss, 1, 1)
    many = with_money(services.opportunity_generate_invoice(opportunity=opportunity, by=rep), boss, 3, 2)
    assert (few.payments.count(), few.credit_notes.count()) == (1, 1)
    assert (many.payments.count(), many.credit_notes.count()) == (3, 2)
    assert (few.state, few.status) == (many.state, many.status) == (InvoiceState.PAID, InvoiceStatus.PARTIAL)
    for user in (rep, boss):
        client.force_login(user)
        urls = [reverse("invoice_detail", args=[doc.pk]) for doc in (empty, few, many)]
        zero, one, three = (queries(client, url) for url in urls)
        assert len(one) == len(three), (user.username, len(one), len(three))
        assert len(money_queries(zero)) == len(money_queries(three)) == 2, money_queries(three)
        page = client.get(urls[2]).content.decode()
        assert page.count('data-testid="payment"') == 3 and page.count('data-testid="credit-note"') == 2
        assert 'data-testid="payment"' not in client.get(urls[0]).content.decode()


def test_the_credit_notes_list_and_a_credit_note_page_issue_the_same_queries_for_1_and_5(
    client, rep, boss, opportunity
):
    invoices = [services.opportunity_generate_invoice(opportunity=opportunity, by=rep) for _ in range(5)]
    first = services.credit_note_create(invoice=invoices[0], by=boss)
    client.force_login(rep)
    one = queries(client, reverse("creditnote_list"))
    small = queries(client, reverse("creditnote_detail", args=[first.pk]))
    for invoice in invoices[1:]:
        services.credit_note_create(invoice=invoice, by=boss)
    five = queries(client, reverse("creditnote_list"))
    assert len(one) == len(five)
    wide = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    for _ in range(3):
        services.line_add(
            document=wide, by=rep, write_in_name="Extra", quantity=Decimal("1"), price_per_unit=Decimal("1")
        )
    big = services.credit_note_create(invoice=fresh(wide), by=boss)
    assert big.lines.count() == 5
    assert len(queries(client, reverse("creditnote_detail", args=[big.pk]))) == len(small)
