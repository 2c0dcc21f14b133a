"""SPEC §10 through the services: payments, balance due, credit notes and exchange rates.

The opportunity fixture is 2 × 100.00 + a write-in 50.00 with 5.00 tax: invoices from it total 255.00.
"""

import datetime
from decimal import Decimal

import pytest

from salesapp.catalog import services as catalog
from salesapp.catalog.models import Currency
from salesapp.core.exceptions import DomainError, ValidationFailed
from salesapp.sales import selectors, services
from salesapp.sales.models import CreditNote, Invoice, InvoiceDetail, Payment, PaymentMethod, TimelineKind
from salesapp.sales.states import InvoiceState, InvoiceStatus
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def invoice(opportunity, rep) -> Invoice:
    inv = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    assert inv.total_amount == Decimal("255.00") and inv.balance_due == Decimal("255.00")
    return inv


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def test_three_partial_payments_make_the_invoice_paid_complete(invoice, boss):
    services.invoice_mark_paid(
        invoice=invoice,
        by=boss,
        status=InvoiceStatus.PARTIAL,
        amount=Decimal("100.00"),
        paid_on=TODAY - datetime.timedelta(days=3),
        method=PaymentMethod.CHECK,
        reference="CHK 1",
    )
    after_one = fresh(invoice)
    assert (after_one.state, after_one.status) == (InvoiceState.PAID, InvoiceStatus.PARTIAL)
    assert (after_one.amount_paid, after_one.balance_due) == (Decimal("100.00"), Decimal("155.00"))
    assert after_one.can("add_payment") and not after_one.can("pay")

    services.payment_record(invoice=after_one, by=boss, amount=Decimal("55.00"), action="add_payment")
    after_two = fresh(invoice)
    assert (after_two.status, after_two.balance_due) == (InvoiceStatus.PARTIAL, Decimal("100.00"))

    services.payment_record(invoice=after_two, by=boss, amount=Decimal("100.00"), paid_on=TODAY)
    done = fresh(invoice)
    assert (done.state, done.status) == (InvoiceState.PAID, InvoiceStatus.COMPLETE)
    assert (done.amount_paid, done.balance_due, done.date_paid) == (Decimal("255.00"), Decimal("0"), TODAY)
    assert not done.can("add_payment")
    rows = list(Payment.objects.filter(invoice=invoice).order_by("created_on"))
    assert [p.amount for p in rows] == [Decimal("100.00"), Decimal("55.00"), Decimal("100.00")]
    assert rows[0].method == PaymentMethod.CHECK and rows[0].reference == "CHK 1" and rows[0].owner == boss
    assert [e.kind for e in selectors.timeline(invoice)].count(TimelineKind.PAYMENT) == 3


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"amount": Decimal("255.01")}, "amount", "more than the balance due"),
        ({"amount": Decimal("0")}, "amount", "more than 0"),
        ({"amount": Decimal("-5")}, "amount", "more than 0"),
        ({"amount": Decimal("1.001")}, "amount", "decimals"),
        ({"amount": None}, "amount", "amount"),
        ({"paid_on": TODAY + datetime.timedelta(days=1)}, "paid_on", "future"),
        ({"method": 99}, "method", "payment method"),
        ({"reference": "x" * 101}, "reference", "100 characters"),
    ],
)
def test_a_refused_payment_names_the_field_and_saves_nothing(invoice, boss, changes, field, words):
    values = {"amount": Decimal("10.00")} | changes
    with pytest.raises(ValidationFailed) as refused:
        services.payment_record(invoice=invoice, by=boss, **values)
    assert refused.value.field == field and words in refused.value.message
    after = fresh(invoice)
    assert (after.state, after.amount_paid, after.balance_due) == (InvoiceState.ACTIVE, 0, Decimal("255.00"))
    assert not Payment.objects.exists()


def test_a_credit_note_of_chosen_lines_reduces_the_balance(invoice, boss):
    catalog_line = InvoiceDetail.objects.get(invoice=invoice, product__isnull=False)
    note = services.credit_note_create(
        invoice=invoice,
        by=boss,
        lines=[{"invoice_detail": catalog_line.pk, "quantity": Decimal("1")}],
        reason="One returned",
    )
    assert note.credit_note_number == "CN-00001" and note.total_amount == Decimal("100.00")
    after = fresh(invoice)
    assert (after.amount_credited, after.balance_due) == (Decimal("100.00"), Decimal("155.00"))
    assert after.state == InvoiceState.ACTIVE and after.creditable_amount == Decimal("155.00")
    assert after.refusal("cancel")  # credited: cancelling is refused
    with pytest.raises(ValidationFailed) as refused:
        services.credit_note_create(
            invoice=after, by=boss, lines=[{"invoice_detail": catalog_line.pk, "quantity": Decimal("2")}]
        )
    assert refused.value.field == "lines[0].quantity"
    rest = services.credit_note_create(invoice=fresh(invoice), by=boss)  # everything left
    assert rest.credit_note_number == "CN-00002" and rest.total_amount == Decimal("155.00")
    closed = fresh(invoice)
    assert (closed.balance_due, closed.state, closed.status) == (0, InvoiceState.PAID, InvoiceStatus.COMPLETE)
    with pytest.raises(DomainError):
        services.credit_note_create(invoice=closed, by=boss)
    assert CreditNote.objects.count() == 2


def test_a_paid_invoice_is_credited_up_to_what_was_invoiced_and_owes_the_customer_the_rest(invoice, boss):
    """A return after payment: the credit note takes the balance below 0, what the customer is owed."""
    services.invoice_mark_paid(invoice=invoice, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal("200"))
    write_in = InvoiceDetail.objects.get(invoice=invoice, product__isnull=True)
    services.credit_note_create(
        invoice=fresh(invoice), by=boss, lines=[{"invoice_detail": write_in.pk, "quantity": Decimal("1")}]
    )
    settled = fresh(invoice)
    assert (settled.balance_due, settled.status, settled.creditable_amount) == (
        0,
        InvoiceStatus.COMPLETE,
        200,
    )
    services.credit_note_create(invoice=settled, by=boss)  # the two products come back
    refund = fresh(invoice)
    assert (refund.amount_credited, refund.balance_due, refund.creditable_amount) == (255, -200, 0)
    assert refund.refusal("credit") and not refund.is_overdue
    with pytest.raises(DomainError):
        services.credit_note_create(invoice=refund, by=boss)
    assert CreditNote.objects.count() == 2


@pytest.fixture
def eur(usd) -> Currency:
    return catalog.currency_save(
        currency=Currency(), code="EUR", name="Euro", symbol="€", precision=2, exchange_rate=Decimal("0.8")
    )


@pytest.fixture
def eur_invoice(eur, rep) -> Invoice:
    price_list = factories.PriceListFactory(currency=eur)
    product = factories.PriceListItemFactory(price_list=price_list, amount=Decimal("99.99")).product
    account = factories.AccountFactory(default_price_list=price_list)
    inv = services.document_create(Invoice, by=rep, customer=account, name="In euros", currency=eur)
    services.line_add(document=inv, by=rep, product=product, quantity=Decimal("3"))
    return fresh(inv)


def test_an_eur_invoice_stores_its_rate_and_base_totals(eur_invoice, boss):
    assert eur_invoice.exchange_rate == Decimal("0.8")
    assert eur_invoice.total_amount == Decimal("299.97")
    assert eur_invoice.total_amount_base == Decimal("374.96")  # 299.97 / 0.8 = 374.9625, half up
    assert eur_invoice.total_line_item_amount_base == Decimal("374.96")
    assert eur_invoice.balance_due_base == Decimal("374.96")
    payment = services.payment_record(invoice=eur_invoice, by=boss, amount=Decimal("100.00"))
    assert payment.amount_base == Decimal("125.00")
    after = fresh(eur_invoice)
    assert (after.amount_paid_base, after.balance_due_base) == (Decimal("125.00"), Decimal("249.96"))


def test_a_rate_change_reaches_open_unlocked_documents_lazily_and_not_locked_ones(eur, eur_invoice, rep):
    locked = services.lock_pricing(
        document=services.document_create(
            Invoice, by=rep, customer=eur_invoice.customer_account, name="Locked", currency=eur
        ),
        by=rep,
    )
    catalog.currency_save(currency=eur, exchange_rate=Decimal("0.5"))
    assert fresh(eur_invoice).exchange_rate == Decimal("0.8")  # nothing rewritten at the change
    read = services.ensure_current_pricing(fresh(eur_invoice))
    assert (read.exchange_rate, read.total_amount_base) == (Decimal("0.5"), Decimal("599.94"))
    assert fresh(eur_invoice).total_amount_base == Decimal("599.94")  # stored by the read
    assert services.ensure_current_pricing(fresh(locked)).exchange_rate == Decimal("0.8")
