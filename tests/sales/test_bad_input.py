"""SPEC §3.5 through the services: refused with a message naming the field, nothing saved."""

from decimal import Decimal

import pytest

from salesapp.catalog.models import ProductState
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales import services
from salesapp.sales.models import Invoice, TimelineEvent
from tests import factories

D = Decimal
BIG = D("1000000000001")


@pytest.fixture
def invoice(account, rep, product):
    inv = services.document_create(Invoice, by=rep, customer=account, name="Input")
    services.line_add(document=inv, by=rep, product=product, quantity=D("1"))
    inv.refresh_from_db()
    return inv


LINE_CASES = [
    ({"quantity": D("0")}, "quantity"),
    ({"quantity": D("-1")}, "quantity"),
    ({"quantity": D("1.123")}, "quantity"),  # the product allows 2 decimals
    ({"quantity": BIG}, "quantity"),
    ({"manual_discount": D("-1")}, "manual_discount"),
    ({"manual_discount": D("100.01")}, "manual_discount"),  # more than the line amount
    ({"manual_discount": D("1.001")}, "manual_discount"),
    ({"tax": D("-0.01")}, "tax"),
    ({"tax": BIG}, "tax"),
    ({"is_price_overridden": True, "price_per_unit": D("-5")}, "price_per_unit"),
    ({"is_price_overridden": True, "price_per_unit": D("1.005")}, "price_per_unit"),
]


@pytest.mark.parametrize(
    ("changes", "field"), LINE_CASES, ids=[c[1] + str(i) for i, c in enumerate(LINE_CASES)]
)
def test_bad_line_input_is_refused_and_nothing_is_saved(invoice, product, rep, changes, field):
    before = (invoice.lines.count(), TimelineEvent.objects.count(), invoice.row_version)
    args = {"quantity": D("1"), **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.line_add(document=invoice, by=rep, product=product, **args)
    assert refused.value.field == field, refused.value.message
    line = invoice.lines.get()
    with pytest.raises(ValidationFailed) as refused_update:
        services.line_update(line=line, by=rep, **changes)
    assert refused_update.value.field == field
    invoice.refresh_from_db()
    line.refresh_from_db()
    assert (invoice.lines.count(), TimelineEvent.objects.count(), invoice.row_version) == before
    assert (line.quantity, line.amount, invoice.total_amount) == (D("1"), D("100.00"), D("100.00"))


HEADER_CASES = [
    ({"discount_percentage": D("100.01")}, "discount_percentage"),
    ({"discount_percentage": D("-1")}, "discount_percentage"),
    ({"discount_amount": D("-1")}, "discount_amount"),
    ({"freight_amount": D("-1")}, "freight_amount"),
    ({"freight_amount": BIG}, "freight_amount"),
    ({"name": "  "}, "name"),
    ({"total_amount": D("1")}, "total_amount"),  # not a header field anyone may type
]


@pytest.mark.parametrize(
    ("changes", "field"), HEADER_CASES, ids=[c[1] + str(i) for i, c in enumerate(HEADER_CASES)]
)
def test_bad_header_input_is_refused(invoice, rep, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        services.document_update(invoice, by=rep, **changes)
    assert refused.value.field == field
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.total_amount, stored.row_version, stored.name) == (
        D("100.00"),
        invoice.row_version,
        "Input",
    )


def test_a_header_discount_beyond_the_lines_is_a_pricing_error_not_a_refusal(invoice, rep):
    """SPEC §3.5/§3.6 (changed): Dynamics 365 clients set header discounts before adding lines."""
    invoice = services.document_update(invoice, by=rep, discount_amount=D("100.01"))
    assert invoice.total_amount_less_freight == D("-0.01")
    assert invoice.pricing_error_code == 35
    with pytest.raises(ValidationFailed, match="Invoice Paid isn't possible: the header discounts"):
        services.invoice_mark_paid(invoice=invoice, by=rep)
    invoice = services.document_update(invoice, by=rep, discount_amount=D("100.00"))
    assert (invoice.total_amount_less_freight, invoice.pricing_error_code) == (D("0.00"), 0)


def test_inactive_products_and_missing_prices_are_refused(invoice, rep, price_list):
    draft = factories.ProductFactory(state=ProductState.DRAFT)
    with pytest.raises(ValidationFailed, match="only active products"):
        services.line_add(document=invoice, by=rep, product=draft, quantity=D("1"))
    unpriced = factories.ProductFactory(name="Unpriced widget")
    with pytest.raises(ValidationFailed, match="Unpriced widget.*Retail") as refused:
        services.line_add(document=invoice, by=rep, product=unpriced, quantity=D("1"))
    assert refused.value.field == "product"
    assert invoice.lines.count() == 1


def test_whole_quantity_selling_option(invoice, rep, price_list):
    item = factories.PriceListItemFactory(price_list=price_list, quantity_selling=2)
    with pytest.raises(ValidationFailed) as refused:
        services.line_add(document=invoice, by=rep, product=item.product, quantity=D("1.5"))
    assert refused.value.field == "quantity"


@pytest.mark.parametrize("amount", [D("0"), D("100.00"), D("150"), D("-1"), D("10.001")])
def test_partial_payment_must_be_between_zero_and_total(invoice, rep, amount):
    with pytest.raises(ValidationFailed) as refused:
        services.invoice_mark_paid(invoice=invoice, by=rep, status=100002, amount=amount)
    assert refused.value.field == "amount"
    assert Invoice.objects.get(pk=invoice.pk).state == 0


def test_partial_payment(invoice, rep):
    paid = services.invoice_mark_paid(invoice=invoice, by=rep, status=100002, amount=D("40.00"))
    assert (paid.state, paid.status, paid.amount_paid) == (2, 100002, D("40.00"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "x" * 301}, "name"),
        ({"billto_postalcode": "1" * 21}, "billto_postalcode"),
        ({"payment_terms": 9}, "payment_terms"),
    ],
)
def test_field_rules_are_named_before_the_database_sees_them(invoice, rep, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        services.document_update(invoice, by=rep, **changes)
    assert refused.value.field == field


def test_quote_effective_dates_must_be_ordered(account, rep):
    import datetime

    from salesapp.sales.models import Quote

    with pytest.raises(ValidationFailed):
        services.document_create(
            Quote,
            by=rep,
            customer=account,
            name="Dates",
            effective_from=datetime.date(2026, 5, 2),
            effective_to=datetime.date(2026, 5, 1),
        )
    assert not Quote.objects.exists()


def test_payment_date_in_the_future_is_refused(invoice, rep):
    import datetime

    with pytest.raises(ValidationFailed, match="future") as refused:
        services.invoice_mark_paid(
            invoice=invoice, by=rep, paid_on=datetime.date.today() + datetime.timedelta(days=2)
        )
    assert refused.value.field == "paid_on"
    assert Invoice.objects.get(pk=invoice.pk).state == 0
