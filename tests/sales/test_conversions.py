"""SPEC §5: every conversion copies exactly what it lists, links back, and is one transaction whose
query count does not grow with the number of lines."""

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesapp.catalog.models import Discount, DiscountList
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, SalesOrder, TimelineEvent
from salesapp.sales.services.documents import COPIED_HEADER, COPIED_LINE, COPIED_SALES
from tests import factories

D = Decimal
LINE_FIELDS = [f for f in COPIED_LINE if f != "sequence"]


@pytest.fixture
def rich_opportunity(account, product, price_list, usd, rep):
    """Catalog line on Use Default with a volume discount, an overridden catalog line, a write-in;
    manual discounts, tax, header discount % and amount, freight; a customer with both addresses."""
    account.address2_line1 = "9 Dock Road"
    account.address2_city = "Harbour"
    account.save()
    tiers = DiscountList.objects.create(name="Tiers")
    Discount.objects.create(
        discount_list=tiers, begin_quantity=D("5"), end_quantity=D("1000"), percentage=D("10")
    )
    bulk = factories.PriceListItemFactory(
        price_list=price_list, amount=D("20.00"), discount_list=tiers
    ).product
    opp = services.document_create(
        Opportunity,
        by=rep,
        customer=account,
        name="Rich deal",
        description="Everything at once",
        discount_percentage=D("5"),
    )
    services.line_add(
        document=opp,
        by=rep,
        product=bulk,
        quantity=D("10"),
        manual_discount=D("3.00"),
        tax=D("1.50"),
        description="bulk line",
    )
    services.line_add(
        document=opp,
        by=rep,
        product=product,
        quantity=D("2"),
        is_price_overridden=True,
        price_per_unit=D("80.00"),
        tax=D("16.00"),
    )
    services.line_add(
        document=opp,
        by=rep,
        write_in_name="Setup fee",
        quantity=D("1"),
        price_per_unit=D("99.99"),
        manual_discount=D("9.99"),
        tax=D("0.50"),
    )
    return services.document_update(opp, by=rep, discount_amount=D("10.00"), freight_amount=D("12.34"))


def _line_values(doc):
    return [tuple(getattr(x, f) for f in LINE_FIELDS) for x in doc.lines.order_by("sequence")]


def _header_values(doc, fields):
    return {f: getattr(doc, f) for f in fields}


def test_opportunity_to_quote_to_order_to_invoice_copies_everything(rich_opportunity, rep):
    opp = rich_opportunity
    assert opp.lines.count() == 3 and opp.total_amount > 0
    quote = services.opportunity_generate_quote(opportunity=opp, by=rep)
    assert _line_values(quote) == _line_values(opp)
    assert _header_values(quote, COPIED_HEADER) == _header_values(opp, COPIED_HEADER)
    assert quote.opportunity == opp and quote.state == 0 and quote.revision_number == 0
    assert (quote.billto_line1, quote.shipto_line1) == ("1 Main Street", "9 Dock Road")
    assert quote.total_amount == opp.total_amount

    quote = services.document_update(
        quote, by=rep, payment_terms=2, freight_terms=1, shipping_method=4, billto_city="Elsewhere"
    )
    quote = services.quote_activate(quote=quote, by=rep)
    order = services.quote_create_order(quote=quote, by=rep)
    quote.refresh_from_db()
    assert quote.state == 2  # Won
    assert order.prices_locked and order.quote == quote and order.opportunity == opp
    assert _line_values(order) == _line_values(quote)
    assert _header_values(order, COPIED_HEADER + COPIED_SALES) == _header_values(
        quote, COPIED_HEADER + COPIED_SALES
    )

    invoice = services.order_create_invoice(order=order, by=rep)
    order.refresh_from_db()
    assert order.state == 4  # Invoiced
    assert invoice.prices_locked and invoice.sales_order == order and invoice.quote == quote
    assert invoice.opportunity == opp
    assert _line_values(invoice) == _line_values(order)
    assert _header_values(invoice, COPIED_HEADER + COPIED_SALES) == _header_values(
        order, COPIED_HEADER + COPIED_SALES
    )
    assert invoice.total_amount == order.total_amount == quote.total_amount
    assert invoice.due_date is not None  # from the copied payment terms

    for source, target in [(opp, quote), (quote, order), (order, invoice)]:
        assert TimelineEvent.objects.filter(
            document_id=source.pk, kind="converted_to", details__target_id=str(target.pk)
        ).exists()
        assert TimelineEvent.objects.filter(
            document_id=target.pk, kind="converted_from", details__source_id=str(source.pk)
        ).exists()


def test_quote_to_invoice_shortcut_wins_the_quote(rich_opportunity, rep):
    quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=rich_opportunity, by=rep), by=rep
    )
    invoice = services.quote_create_invoice(quote=quote, by=rep, close_opportunity=True)
    quote.refresh_from_db()
    rich_opportunity.refresh_from_db()
    assert quote.state == 2 and invoice.quote == quote and invoice.prices_locked
    assert rich_opportunity.state == 1 and rich_opportunity.actual_revenue == quote.total_amount
    assert _line_values(invoice) == _line_values(quote)


def test_generated_order_and_invoice_start_unlocked(rich_opportunity, rep):
    order = services.opportunity_generate_order(opportunity=rich_opportunity, by=rep)
    invoice = services.opportunity_generate_invoice(opportunity=rich_opportunity, by=rep)
    assert not order.prices_locked and not invoice.prices_locked
    assert order.state == 0 and invoice.state == 0
    assert _line_values(order) == _line_values(invoice) == _line_values(rich_opportunity)


def test_revise_keeps_the_number_and_bumps_the_revision(rich_opportunity, rep):
    quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=rich_opportunity, by=rep), by=rep
    )
    draft = services.quote_revise(quote=quote, by=rep)
    quote.refresh_from_db()
    assert (quote.state, quote.status) == (3, 7)  # Closed / Revised
    assert draft.quote_number == quote.quote_number and draft.revision_number == 1 and draft.state == 0
    assert _line_values(draft) == _line_values(quote)


def test_get_products_appends_to_an_invoice(rich_opportunity, account, rep):
    invoice = services.document_create(Invoice, by=rep, customer=account, name="From scratch")
    services.line_add(
        document=invoice, by=rep, write_in_name="Existing line", quantity=D("1"), price_per_unit=D("5")
    )
    services.get_products(document=invoice, opportunity=rich_opportunity, by=rep)
    invoice.refresh_from_db()
    lines = list(invoice.lines.order_by("sequence"))
    assert [x.product_name for x in lines][0] == "Existing line"
    assert len(lines) == 4 and [x.sequence for x in lines] == [1, 2, 3, 4]
    assert _line_values(invoice)[1:] == _line_values(rich_opportunity)
    assert invoice.total_line_item_amount == D("5.00") + rich_opportunity.total_line_item_amount
    assert TimelineEvent.objects.filter(document_id=invoice.pk, kind="products_added").exists()


def test_get_products_refuses_another_currency(rich_opportunity, account, rep):
    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€")
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Euro", currency=eur)
    assert invoice.price_list is None
    with pytest.raises(ValidationFailed, match="currencies must match"):
        services.get_products(document=invoice, opportunity=rich_opportunity, by=rep)
    assert invoice.lines.count() == 0


def _opportunity_with(lines, account, product, rep):
    opp = services.document_create(Opportunity, by=rep, customer=account, name=f"{lines} lines")
    from salesapp.sales.models import OpportunityProduct

    OpportunityProduct.objects.bulk_create(
        [
            OpportunityProduct(
                opportunity=opp,
                sequence=n + 1,
                product=product,
                unit=product.default_unit,
                price_per_unit=D("100.00"),
                quantity=D("1"),
                amount=D("100.00"),
                extended_amount=D("100.00"),
            )
            for n in range(lines)
        ]
    )
    opp.refresh_from_db()
    return opp


@pytest.mark.parametrize("conversion", ["quote", "order", "invoice", "order_to_invoice", "get_products"])
def test_conversion_query_count_does_not_grow_with_lines(conversion, account, product, rep):
    counts = []
    for size in (5, 100):
        opp = _opportunity_with(size, account, product, rep)
        if conversion == "order_to_invoice":
            order = services.opportunity_generate_order(opportunity=opp, by=rep)
            run = partial(services.order_create_invoice, order=order, by=rep)
        elif conversion == "get_products":
            invoice = services.document_create(Invoice, by=rep, customer=account, name="gp")
            run = partial(services.get_products, document=invoice, opportunity=opp, by=rep)
        else:
            fn = {
                "quote": services.opportunity_generate_quote,
                "order": services.opportunity_generate_order,
                "invoice": services.opportunity_generate_invoice,
            }[conversion]
            run = partial(fn, opportunity=opp, by=rep)
        with CaptureQueriesContext(connection) as ctx:
            result = run()
        assert result.lines.count() == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], f"{conversion}: {counts[0]} queries for 5 lines, {counts[1]} for 100"
    print(f"{conversion}: {counts[0]} queries for 5 lines and for 100")


def test_converted_order_total_matches_spec_arithmetic(rich_opportunity, rep):
    order = services.opportunity_generate_order(opportunity=rich_opportunity, by=rep)
    # bulk: 20.00 - 2.00 volume = 18.00 × 10 = 180.00, −3.00, +1.50; overridden 80 × 2 = 160, +16;
    # write-in 99.99 − 9.99 = 90.00, +0.50. Detail 177 + 160 + 90 = 427.00; 5 % = 21.35; −10 → 395.65
    assert order.total_line_item_amount == D("427.00")
    assert order.header_percent_discount_amount == D("21.35")
    assert order.total_amount_less_freight == D("395.65")
    assert order.total_tax == D("18.00")
    assert order.total_amount == D("395.65") + D("12.34") + D("18.00")
    assert SalesOrder.objects.get(pk=order.pk).total_discount_amount == D("12.99") + D("21.35") + D("10.00")
