"""Pricing errors are data (SPEC §3.6): the catalog changes under an open document, the document still
opens everywhere, the line keeps its last price and carries Dynamics 365's `pricingerrorcode`,
issuing is refused naming the line, and fixing the cause clears the error on the next repricing."""

from decimal import Decimal

import pytest
from django.test import Client

from salesapp import pricing
from salesapp.catalog import services as catalog
from salesapp.catalog.models import PriceListItem
from salesapp.core.exceptions import DomainError
from salesapp.documents import services as documents
from salesapp.documents.models import Delivery
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder
from tests import factories
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db

MISSING_PRICE_LIST = 2
PRODUCT_NOT_IN_PRICE_LIST = 11
MISSING_CURRENT_COST = 15
PRE_FREIGHT_BELOW_ZERO = 35


def open_invoice(*, rep, account, product) -> Invoice:
    """An open, unlocked invoice: product 2 × 100.00 (Use Default) and a write-in 1 × 50.00."""
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Open invoice")
    services.line_add(document=invoice, by=rep, product=product, quantity=Decimal("2"))
    services.line_add(
        document=invoice,
        by=rep,
        write_in_name="Installation",
        quantity=Decimal("1"),
        price_per_unit=Decimal("50"),
    )
    invoice.refresh_from_db()
    return invoice


def delete_item(product, price_list, boss) -> None:
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    catalog.price_list_item_delete(item=item, by=boss)


def screen(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_invoice_whose_price_list_item_was_deleted_still_opens_everywhere(
    rep, boss, account, product, price_list
):
    # given an open, unlocked invoice with a default-priced catalog line
    invoice = open_invoice(rep=rep, account=account, product=product)
    # when the product's price list item is deleted from the catalog
    delete_item(product, price_list, boss)
    # then the screen, the Web API, the print preview and the PDF all open
    client = screen(rep)
    page = client.get(f"/invoices/{invoice.pk}/")
    assert page.status_code == 200
    # and the page says so: a banner with what to do, and the error on its line
    html = page.content.decode()
    assert 'data-testid="pricing-error"' in html and "Override the price of the marked line" in html
    assert html.count('data-testid="line-pricing-error"') == 1
    assert "the product has no price in the price list for this unit" in html
    reply = Api(token_for(rep)).get(f"invoices({invoice.pk})?$expand=invoice_details")
    assert reply.status == 200, reply.body
    assert client.get(f"/documents/invoices/{invoice.pk}/print/").status_code == 200
    pdf = client.get(f"/documents/invoices/{invoice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # and the line keeps its last price, carrying "product not in price list" (11), as does the header
    assert reply.body["pricingerrorcode"] == PRODUCT_NOT_IN_PRICE_LIST
    catalog_line = next(x for x in reply.body["invoice_details"] if x["_productid_value"])
    assert catalog_line["pricingerrorcode"] == PRODUCT_NOT_IN_PRICE_LIST
    assert catalog_line["priceperunit"] == Decimal("100.00")
    assert reply.body["totalamount"] == Decimal("250.00")
    write_in = next(x for x in reply.body["invoice_details"] if not x["_productid_value"])
    assert write_in["pricingerrorcode"] == 0


def test_a_cleared_current_cost_under_a_markup_item_is_error_15_and_the_opportunity_opens(
    rep, boss, account, price_list
):
    # given a product priced at current cost + 20 % (70.00 → 84.00) on an open opportunity
    item = factories.PriceListItemFactory(
        price_list=price_list,
        pricing_method=pricing.PricingMethod.MARKUP_CURRENT_COST,
        amount=None,
        percentage=Decimal("20"),
        product=factories.ProductFactory(name="Service hour", current_cost=Decimal("70.00")),
    )
    opp = services.document_create(Opportunity, by=rep, customer=account, name="Hours")
    line = services.line_add(document=opp, by=rep, product=item.product, quantity=Decimal("3"))
    assert line.price_per_unit == Decimal("84.00")
    # when the product's current cost is cleared
    catalog.product_save(product=item.product, by=boss, current_cost=None)
    # then the opportunity opens on the screen and through the API, with error 15 on line and header
    assert screen(rep).get(f"/opportunities/{opp.pk}/").status_code == 200
    reply = Api(token_for(rep)).get(f"opportunities({opp.pk})?$expand=product_opportunities")
    assert reply.status == 200, reply.body
    assert reply.body["pricingerrorcode"] == MISSING_CURRENT_COST
    assert reply.body["product_opportunities"][0]["pricingerrorcode"] == MISSING_CURRENT_COST
    assert reply.body["product_opportunities"][0]["priceperunit"] == Decimal("84.00")


def test_issuing_a_document_with_a_pricing_error_is_refused_naming_the_line(
    rep, boss, account, product, price_list
):
    # given an open invoice, a draft quote, an unlocked order and an opportunity with the product
    invoice = open_invoice(rep=rep, account=account, product=product)
    quote = services.document_create(Quote, by=rep, customer=account, name="Draft quote")
    services.line_add(document=quote, by=rep, product=product, quantity=Decimal("1"))
    order = services.document_create(SalesOrder, by=rep, customer=account, name="Open order")
    services.line_add(document=order, by=rep, product=product, quantity=Decimal("1"))
    opp = services.document_create(Opportunity, by=rep, customer=account, name="Deal")
    services.line_add(document=opp, by=rep, product=product, quantity=Decimal("1"))
    counts = {m: m.objects.count() for m in (Quote, SalesOrder, Invoice)}
    # when the product leaves the price list
    delete_item(product, price_list, boss)
    # then every issuing action is refused with a message naming the product
    attempts = {
        "Activate": lambda: services.quote_activate(quote=quote, by=rep),
        "Create Invoice (order)": lambda: services.order_create_invoice(order=order, by=rep),
        "Create Order (opportunity)": lambda: services.opportunity_generate_order(opportunity=opp, by=rep),
        "Create Invoice (opportunity)": lambda: services.opportunity_generate_invoice(
            opportunity=opp, by=rep
        ),
        "Invoice Paid": lambda: services.invoice_mark_paid(invoice=invoice, by=boss),
        "Send by Email": lambda: documents.delivery_queue(
            invoice=invoice, by=rep, to="billing@customer.example", subject="Invoice"
        ),
    }
    accepted, unnamed = [], []
    for action, attempt in attempts.items():
        try:
            attempt()
            accepted.append(action)
        except DomainError as exc:
            if product.name not in exc.message:
                unnamed.append(f"{action}: {exc.message}")
    assert not accepted, f"accepted despite the pricing error on {product.name}: {accepted}"
    assert not unnamed, f"refused without naming {product.name}: {unnamed}"
    # and nothing was issued or created
    quote.refresh_from_db(), order.refresh_from_db(), invoice.refresh_from_db()
    assert quote.state_label == "Draft" and order.state_label == "Active" and invoice.state_label == "Active"
    assert {m: m.objects.count() for m in (Quote, SalesOrder, Invoice)} == counts
    assert not Delivery.objects.filter(invoice=invoice).exists()


def test_re_adding_the_price_list_item_clears_the_error_on_the_next_view(
    rep, boss, account, product, price_list
):
    # given an invoice whose catalog line lost its price list item, and was viewed (error 11)
    invoice = open_invoice(rep=rep, account=account, product=product)
    delete_item(product, price_list, boss)
    client = screen(rep)
    assert client.get(f"/invoices/{invoice.pk}/").status_code == 200
    invoice.refresh_from_db()
    assert invoice.pricing_error_code == PRODUCT_NOT_IN_PRICE_LIST
    # when the item comes back at a new price
    catalog.price_list_item_save(
        item=PriceListItem(price_list=price_list, product=product),
        by=boss,
        unit=product.default_unit,
        pricing_method=pricing.PricingMethod.CURRENCY_AMOUNT,
        amount=Decimal("90.00"),
    )
    # then the next view reprices: the error is gone and the new price shows
    page = client.get(f"/invoices/{invoice.pk}/")
    assert page.status_code == 200 and 'data-testid="pricing-error"' not in page.content.decode()
    invoice.refresh_from_db()
    line = invoice.lines.get(product=product)
    assert (invoice.pricing_error_code, line.pricing_error_code) == (0, 0)
    assert line.price_per_unit == Decimal("90.00") and invoice.total_amount == Decimal("230.00")


def test_a_header_discount_set_before_the_lines_is_accepted_as_pricing_error_35(rep, account, product):
    # given an empty invoice (Dynamics clients create the header first)
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Header first")
    # when a 500.00 header discount is set
    invoice = services.document_update(invoice, by=rep, discount_amount=Decimal("500"))
    # then it is saved, and the document carries "pre-freight below zero" (35)
    invoice.refresh_from_db()
    assert invoice.discount_amount == Decimal("500.00")
    assert invoice.pricing_error_code == PRE_FREIGHT_BELOW_ZERO
    client = screen(rep)
    assert client.get(f"/invoices/{invoice.pk}/").status_code == 200
    # and adding lines worth more than the discount clears it
    services.line_add(document=invoice, by=rep, product=product, quantity=Decimal("6"))
    invoice.refresh_from_db()
    assert invoice.pricing_error_code == 0
    assert invoice.total_amount_less_freight == Decimal("100.00")
