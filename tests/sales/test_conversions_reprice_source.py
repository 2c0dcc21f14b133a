"""A conversion reprices its source first (SPEC §6): a price changed in the catalog after the source
was last viewed must not be frozen into the new (locked) document. Nobody views the source here."""

from decimal import Decimal

import pytest

from salesapp.catalog import services as catalog
from salesapp.catalog.models import PriceListItem
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


def new_price(product, price_list, boss, amount: str) -> None:
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    catalog.price_list_item_save(item=item, by=boss, amount=Decimal(amount))


def test_convert_sales_order_to_invoice_carries_the_new_price(rep, boss, account, product, price_list):
    # given an order created from scratch (unlocked) with 2 × the product at 100.00
    order = services.document_create(SalesOrder, by=rep, customer=account, name="From scratch")
    services.line_add(document=order, by=rep, product=product, quantity=Decimal("2"))
    assert not order.prices_locked
    # when the price list item goes to 120.00 and the order is converted without being viewed
    new_price(product, price_list, boss, "120.00")
    reply = Api(token_for(rep)).post(
        "ConvertSalesOrderToInvoice", {"SalesOrderId": str(order.pk), "ColumnSet": {"AllColumns": True}}
    )
    # then the (locked) invoice carries the new price
    assert reply.status == 200, reply.body
    assert reply.body["ispricelocked"] is True
    assert reply.body["totalamount"] == Decimal("240.00")
    invoice = Invoice.objects.get(pk=reply.body["invoiceid"])
    assert [x.price_per_unit for x in invoice.lines.all()] == [Decimal("120.00")]


@pytest.mark.parametrize("into", ["quote", "order", "invoice"])
def test_generate_from_an_opportunity_carries_the_new_price(rep, boss, account, product, price_list, into):
    # given an opportunity with 3 × the product at 100.00
    opp = services.document_create(Opportunity, by=rep, customer=account, name="Deal")
    services.line_add(document=opp, by=rep, product=product, quantity=Decimal("3"))
    # when the price goes to 80.00 and a document is generated without viewing the opportunity
    new_price(product, price_list, boss, "80.00")
    generate = {
        "quote": services.opportunity_generate_quote,
        "order": services.opportunity_generate_order,
        "invoice": services.opportunity_generate_invoice,
    }[into]
    document = generate(opportunity=opp, by=rep)
    # then it carries the new price and total
    document.refresh_from_db()
    assert [x.price_per_unit for x in document.lines.all()] == [Decimal("80.00")]
    assert document.total_amount == Decimal("240.00")


def test_quote_activated_and_converted_to_an_order_carries_the_new_price(
    rep, boss, account, product, price_list
):
    # given a draft quote with 1 × the product at 100.00
    quote = services.document_create(Quote, by=rep, customer=account, name="Draft")
    services.line_add(document=quote, by=rep, product=product, quantity=Decimal("1"))
    # when the price goes to 150.00, then Activate and Create Order, with nobody viewing the quote
    new_price(product, price_list, boss, "150.00")
    quote = services.quote_activate(quote=quote, by=rep)
    order = services.quote_create_order(quote=quote, by=rep)
    # then the locked order carries the new price (the draft was repriced before it was frozen)
    order.refresh_from_db()
    assert order.prices_locked
    assert [x.price_per_unit for x in order.lines.all()] == [Decimal("150.00")]
    assert order.total_amount == Decimal("150.00")
