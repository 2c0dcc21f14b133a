"""Each list page issues the same number of queries for 5 and for 50 rows; the invoice page the same
for 5 and for 100 lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import Discount, DiscountList, PriceList
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity
from tests import factories

pytestmark = pytest.mark.django_db

LISTS = (
    "account_list",
    "contact_list",
    "product_list",
    "price_list_list",
    "unit_group_list",
    "discount_list_list",
    "opportunity_list",
    "quote_list",
    "order_list",
    "invoice_list",
    "home",
)


def add_rows(n: int, *, rep, price_list, product, start: int) -> None:
    """n more rows of every listed entity (documents through the services)."""
    for i in range(start, start + n):
        account = factories.AccountFactory(default_price_list=price_list, owner=rep)
        factories.ContactFactory(account=account, owner=rep)
        factories.PriceListItemFactory(price_list=price_list, product__name=f"Bulk {i}")
        catalog_services.price_list_save(
            price_list=PriceList(), name=f"List {i}", currency=price_list.currency
        )
        factories.UnitGroupFactory(name=f"Group {i}")
        dl = catalog_services.discount_list_save(discount_list=DiscountList(), name=f"Discounts {i}")
        catalog_services.discount_save(
            discount=Discount(discount_list=dl),
            begin_quantity=Decimal("1"),
            end_quantity=Decimal("9"),
            percentage=Decimal("1"),
        )
        opp = services.document_create(Opportunity, by=rep, customer=account, name=f"Deal {i}")
        services.line_add(document=opp, by=rep, product=product, quantity=Decimal("1"))
        quote = services.opportunity_generate_quote(opportunity=opp, by=rep)
        services.quote_activate(quote=quote, by=rep)
        services.opportunity_generate_order(opportunity=opp, by=rep)
        services.opportunity_generate_invoice(opportunity=opp, by=rep)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_list_pages_issue_the_same_number_of_queries_for_5_and_50_rows(client, rep, price_list, product):
    client.force_login(rep)
    add_rows(5, rep=rep, price_list=price_list, product=product, start=0)
    # a filtered, sorted list too (the customer filter looks up the matching accounts and contacts
    # first: two queries more than a plain list, at any size)
    filtered = reverse("invoice_list") + "?sort=-total_amount&state=0&customer=Account&owner=me"
    small = {name: count(client, reverse(name)) for name in LISTS} | {"filtered": count(client, filtered)}
    add_rows(45, rep=rep, price_list=price_list, product=product, start=5)
    large = {name: count(client, reverse(name)) for name in LISTS} | {"filtered": count(client, filtered)}
    assert large == small
    assert small["filtered"] <= small["invoice_list"] + 2


def invoice_with(n: int, *, rep, account, product) -> Invoice:
    opp = services.document_create(Opportunity, by=rep, customer=account, name=f"{n} lines")
    for i in range(n):
        if i % 3 == 2:
            services.line_add(
                document=opp,
                by=rep,
                write_in_name=f"Service {i}",
                quantity=Decimal("1"),
                price_per_unit=Decimal("10.00"),
            )
        else:
            services.line_add(document=opp, by=rep, product=product, quantity=Decimal(i + 1))
    return services.opportunity_generate_invoice(opportunity=opp, by=rep)


def test_invoice_page_issues_the_same_number_of_queries_for_5_and_100_lines(
    client, rep, boss, account, product
):
    small = invoice_with(5, rep=rep, account=account, product=product)
    large = invoice_with(100, rep=rep, account=account, product=product)
    assert large.lines.count() == 100
    for user in (rep, boss):
        client.force_login(user)
        counts = [count(client, reverse("invoice_detail", args=[doc.pk])) for doc in (small, large)]
        assert counts[0] == counts[1], counts
        # editing a line (htmx) too
        line_urls = [
            reverse("invoice_line_edit", args=[doc.pk, doc.lines.first().pk]) for doc in (small, large)
        ]
        with CaptureQueriesContext(connection) as a:
            client.get(line_urls[0], HTTP_HX_REQUEST="true")
        with CaptureQueriesContext(connection) as b:
            client.get(line_urls[1], HTTP_HX_REQUEST="true")
        assert len(a.captured_queries) == len(b.captured_queries)
