"""SPEC §3.4's worked example, end to end through the services and the stored totals."""

from decimal import Decimal

import pytest

from salesapp.catalog.models import Discount, DiscountList
from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories

D = Decimal


@pytest.fixture
def line_a_product(price_list, usd):
    volume = DiscountList.objects.create(name="Bulk", is_amount_type=True, currency=usd)
    Discount.objects.create(
        discount_list=volume, begin_quantity=D("10"), end_quantity=D("100"), amount=D("100.00")
    )
    item = factories.PriceListItemFactory(price_list=price_list, amount=D("1000.00"), discount_list=volume)
    return item.product


def test_worked_example_line_item_method(account, rep, line_a_product):
    invoice = services.document_create(
        Invoice,
        by=rep,
        customer=account,
        name="Example",
        discount_percentage=D("10"),
        freight_amount=D("50.00"),
    )
    a = services.line_add(
        document=invoice,
        by=rep,
        product=line_a_product,
        quantity=D("10"),
        manual_discount=D("100.00"),
        tax=D("1335.00"),
    )
    b = services.line_add(
        document=invoice,
        by=rep,
        write_in_name="Consulting",
        quantity=D("4"),
        price_per_unit=D("250.00"),
        tax=D("150.00"),
    )
    invoice = services.document_update(invoice, by=rep, discount_amount=D("200.00"))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.price_per_unit, a.volume_discount, a.amount, a.extended_amount) == (
        D("1000.00"),
        D("100.00"),
        D("9000.00"),
        D("10235.00"),
    )
    assert (b.amount, b.extended_amount, b.is_price_overridden) == (D("1000.00"), D("1150.00"), True)
    assert invoice.total_line_item_amount == D("9900.00")
    assert invoice.total_amount_less_freight == D("8710.00")
    assert invoice.total_tax == D("1485.00")
    assert invoice.total_amount == D("10245.00")
    assert invoice.total_discount_amount == D("1290.00")


def test_worked_example_per_unit_method(account, rep, line_a_product):
    org = OrganizationSettings.load()
    org.discount_calculation = "per_unit"
    org.save()
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Per unit")
    line = services.line_add(
        document=invoice,
        by=rep,
        product=line_a_product,
        quantity=D("10"),
        manual_discount=D("100.00"),
        tax=D("1335.00"),
    )
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert line.extended_amount == D("9335.00")
    assert invoice.total_amount == D("9335.00")
    assert invoice.total_line_item_discount_amount == D("1000.00")


def test_volume_discount_follows_quantity(account, rep, line_a_product):
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Tiers")
    line = services.line_add(document=invoice, by=rep, product=line_a_product, quantity=D("9"))
    line.refresh_from_db()
    assert line.volume_discount == D("0.00")
    services.line_update(line=line, by=rep, quantity=D("10"))
    line.refresh_from_db()
    assert line.volume_discount == D("100.00")
    assert line.amount == D("9000.00")
