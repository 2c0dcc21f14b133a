"""SPEC §6: Lock Pricing / Use Current Pricing and lazy repricing of open, unlocked documents."""

from decimal import Decimal

import pytest

from salesapp.catalog import services as catalog
from salesapp.catalog.models import PriceListItem
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales import services
from salesapp.sales.models import Invoice, SalesOrder, TimelineEvent

D = Decimal


def _raise_price(product, price_list, amount="150.00"):
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    catalog.price_list_item_save(item=item, amount=D(amount))


def _view(doc):
    """What every screen, export and email does before showing a document."""
    return services.ensure_current_pricing(
        type(doc).objects.select_related("price_list", "currency").get(pk=doc.pk)
    )


@pytest.fixture
def order_from_quote(opportunity, rep):
    quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=opportunity, by=rep), by=rep
    )
    return services.quote_create_order(quote=quote, by=rep)


def test_locked_order_keeps_its_total_then_follows_on_use_current_pricing(
    order_from_quote, product, price_list, rep
):
    order = order_from_quote
    assert order.prices_locked and order.total_amount == D("255.00")
    _raise_price(product, price_list)
    order = _view(order)
    assert order.total_amount == D("255.00")
    order = services.use_current_pricing(document=order, by=rep)
    assert not order.prices_locked
    assert order.total_amount == D("355.00")  # 2 × 150 + 50 + 5 tax
    event = TimelineEvent.objects.get(document_id=order.pk, kind="repriced")
    assert "total $255.00 → $355.00" in event.summary  # in the order's currency


def test_overridden_and_write_in_lines_never_move(opportunity, product, price_list, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    line = services.line_add(
        document=invoice,
        by=rep,
        product=product,
        quantity=D("1"),
        is_price_overridden=True,
        price_per_unit=D("77.00"),
    )
    _raise_price(product, price_list, "300.00")
    invoice = _view(invoice)
    prices = {x.product_name + str(x.is_price_overridden): x.price_per_unit for x in invoice.lines.all()}
    assert prices[product.name + "True"] == D("77.00")
    assert prices["Installation" + "True"] == D("50.00")
    assert prices[product.name + "False"] == D("300.00")
    assert line.pk


def test_unlocked_invoice_follows_price_list_on_next_view(opportunity, product, price_list, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    assert not invoice.prices_locked
    _raise_price(product, price_list)
    stored = Invoice.objects.get(pk=invoice.pk)
    assert stored.total_amount == D("255.00")  # nothing moves until someone looks
    assert _view(invoice).total_amount == D("355.00")
    assert TimelineEvent.objects.filter(document_id=invoice.pk, kind="repriced").count() == 1
    assert _view(invoice).total_amount == D("355.00")  # and only once
    assert TimelineEvent.objects.filter(document_id=invoice.pk, kind="repriced").count() == 1


def test_lock_pricing_then_price_change_keeps_the_price(opportunity, product, price_list, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    invoice = services.lock_pricing(document=invoice, by=rep)
    _raise_price(product, price_list)
    assert _view(invoice).total_amount == D("255.00")
    # A new catalog line on a locked invoice takes the current price and then stays put.
    services.line_add(document=invoice, by=rep, product=product, quantity=D("1"))
    _raise_price(product, price_list, "999.00")
    assert _view(invoice).total_amount == D("405.00")


def test_locked_document_refuses_a_typed_price_but_takes_write_ins(order_from_quote, product, rep):
    with pytest.raises(ValidationFailed) as refused:
        services.line_add(
            document=order_from_quote,
            by=rep,
            product=product,
            quantity=D("1"),
            is_price_overridden=True,
            price_per_unit=D("1.00"),
        )
    assert refused.value.field == "price_per_unit"
    services.line_add(
        document=order_from_quote,
        by=rep,
        write_in_name="Rush fee",
        quantity=D("1"),
        price_per_unit=D("10.00"),
    )
    assert SalesOrder.objects.get(pk=order_from_quote.pk).total_amount == D("265.00")


def test_read_only_documents_never_reprice(opportunity, product, price_list, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    invoice = services.invoice_mark_paid(invoice=invoice, by=rep)
    _raise_price(product, price_list)
    assert _view(invoice).total_amount == D("255.00")
    # Generating reprices the opportunity first (SPEC §6): the quote starts at the current 150.00.
    quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=opportunity, by=rep), by=rep
    )
    assert quote.total_amount == D("355.00")
    _raise_price(product, price_list, "400.00")
    assert _view(quote).total_amount == D("355.00")


def test_volume_discount_follows_quantity_on_a_locked_document(
    order_from_quote, product, price_list, rep, usd
):
    from salesapp.catalog.models import Discount, DiscountList

    tiers = DiscountList.objects.create(name="Qty")
    Discount.objects.create(
        discount_list=tiers, begin_quantity=D("5"), end_quantity=D("99"), percentage=D("10")
    )
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    catalog.price_list_item_save(item=item, discount_list=tiers)
    line = order_from_quote.lines.get(product=product)
    services.line_update(line=line, by=rep, quantity=D("5"))
    line.refresh_from_db()
    assert (line.price_per_unit, line.volume_discount, line.amount) == (D("100.00"), D("10.00"), D("450.00"))


def test_product_cost_change_reprices_percent_based_items(account, price_list, rep):
    from salesapp.catalog.models import Product
    from tests import factories

    item = factories.PriceListItemFactory(
        price_list=price_list, pricing_method=3, amount=None, percentage=D("50")
    )
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Markup")
    services.line_add(document=invoice, by=rep, product=item.product, quantity=D("1"))
    assert _view(invoice).total_amount == D("105.00")  # current cost 70 × 1.5
    catalog.product_save(product=Product.objects.get(pk=item.product_id), current_cost=D("80.00"))
    assert _view(invoice).total_amount == D("120.00")


def test_locked_line_keeps_its_price_when_the_item_is_removed(order_from_quote, product, price_list, rep):
    catalog.price_list_item_delete(item=PriceListItem.objects.get(product=product, price_list=price_list))
    line = order_from_quote.lines.get(product=product)
    services.line_update(line=line, by=rep, quantity=D("3"))
    line.refresh_from_db()
    assert (line.price_per_unit, line.amount) == (D("100.00"), D("300.00"))
    # Use Current Pricing can't price it any more: the line keeps its price and carries the error
    # (SPEC §3.6), and the order can't be invoiced until someone fixes it.
    order = services.use_current_pricing(document=order_from_quote, by=rep)
    line.refresh_from_db()
    assert (line.price_per_unit, line.pricing_error_code, order.pricing_error_code) == (D("100.00"), 11, 11)
    assert not SalesOrder.objects.get(pk=order_from_quote.pk).prices_locked
    with pytest.raises(ValidationFailed, match=f"{product.name}, has a pricing error"):
        services.order_create_invoice(order=order, by=rep)
