"""One record of every entity set, built through the services (for route-by-route tests)."""

from decimal import Decimal

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import Discount, DiscountList, PriceListItem
from salesapp.sales import services
from salesapp.sales.models import Opportunity, OpportunityClose, OrderClose, QuoteClose


def build_world(*, rep, boss, opportunity, price_list, product) -> dict[str, str]:
    """Entity set → the GUID of an existing record in it (documents still editable)."""
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    dl = catalog_services.discount_list_save(discount_list=DiscountList(), by=boss, name="Tiers")
    discount = catalog_services.discount_save(
        discount=Discount(discount_list=dl),
        by=boss,
        begin_quantity=Decimal(1),
        end_quantity=Decimal(5),
        percentage=Decimal(5),
    )
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    # Closed records for the close activities (the documents above stay editable).
    closed_quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=opportunity, by=rep), by=rep
    )
    services.quote_close(quote=closed_quote, by=rep, subject="Lost on price")
    closed_order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    services.order_fulfill(order=closed_order, by=rep)
    won = services.document_create(Opportunity, by=rep, customer=opportunity.customer, name="Won deal")
    services.opportunity_win(opportunity=won, by=rep, subject="Signed")
    # Money (SPEC §10) on its own invoice, so the one above stays Active and editable.
    paid = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    payment = services.payment_record(invoice=paid, by=boss, amount=Decimal("10.00"), reference="First")
    note = services.credit_note_create(
        invoice=paid, by=boss, lines=[{"invoice_detail": paid.lines.first().pk, "quantity": Decimal(1)}]
    )
    return {
        "transactioncurrencies": price_list.currency_id,
        "accounts": opportunity.customer_account_id,
        "contacts": _contact(opportunity.customer_account, boss).pk,
        "uomschedules": product.unit_group_id,
        "uoms": product.default_unit_id,
        "products": product.pk,
        "pricelevels": price_list.pk,
        "productpricelevels": item.pk,
        "discounttypes": dl.pk,
        "discounts": discount.pk,
        "opportunities": opportunity.pk,
        "opportunityproducts": opportunity.lines.first().pk,
        "quotes": quote.pk,
        "quotedetails": quote.lines.first().pk,
        "salesorders": order.pk,
        "salesorderdetails": order.lines.first().pk,
        "invoices": invoice.pk,
        "invoicedetails": invoice.lines.first().pk,
        "quotecloses": QuoteClose.objects.get(quote=closed_quote).pk,
        "opportunitycloses": OpportunityClose.objects.get(opportunity=won).pk,
        "ordercloses": OrderClose.objects.get(sales_order=closed_order).pk,
        "systemusers": rep.systemuser.pk,
        "invoicepayments": payment.pk,
        "creditnotes": note.pk,
        "creditnotedetails": note.lines.first().pk,
    }


def _contact(account, by):
    from salesapp.customers import services as customer_services
    from salesapp.customers.models import Contact

    return customer_services.contact_save(contact=Contact(), by=by, last_name="Smith", account=account)
