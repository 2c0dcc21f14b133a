"""Lists at a million rows (issue 13): keyset pages (no row skipped or repeated, ties and NULLs in the sort
key included, both directions), the count that stops at "5,000+", the same queries on every page, and
search on SQLite and PostgreSQL (trigram indexes there)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesapp.catalog.models import PriceList
from salesapp.core.views import keyset, lists
from salesapp.core.views.keyset import CappedCount, capped_count, keyset_page, ordering
from salesapp.customers.models import Account
from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(usd):
    """13 accounts: names with ties (three distinct names), some with a price list (two names), some
    without one (NULL when sorted by the price list's name)."""
    retail = PriceList.objects.create(name="Retail", currency=usd)
    outlet = PriceList.objects.create(name="Outlet", currency=usd)
    rows = []
    for n in range(13):
        rows.append(
            Account.objects.create(
                name=("Alpha", "Beta", "Gamma")[n % 3],
                default_price_list=(retail, outlet, None)[n % 3 if n < 9 else 2],
            )
        )
    return rows


def walk(qs, sort: str, size: int) -> tuple[list, list]:
    """Every page forward from the first by its Next cursor, then backward from the last by Previous."""
    forward, pages = [], []
    params: dict = {}
    while True:
        page = keyset_page(qs, sort, params, size=size)
        forward += page.ids
        pages.append(page)
        if not page.has_next:
            break
        params = {"after": page.next_cursor, "page": page.number + 1}
        assert len(pages) < 50, "no end"
    backward = list(pages[-1].ids)
    page = pages[-1]
    while page.has_previous:
        page = keyset_page(qs, sort, {"before": page.previous_cursor, "page": page.number - 1}, size=size)
        backward = page.ids + backward
    assert page.first and page.number == 1
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    return forward, backward


@pytest.mark.parametrize(
    "sort",
    ["name", "-name", "created_on", "-created_on", "default_price_list__name", "-default_price_list__name"],
)
@pytest.mark.parametrize("size", [1, 2, 4, 5])
def test_keyset_pages_cover_every_row_once_in_order(accounts, sort, size):
    qs = Account.objects.all()
    expected = list(qs.order_by(*ordering(Account, sort)).values_list("pk", flat=True))
    forward, backward = walk(qs, sort, size)
    assert forward == expected
    assert backward == expected


def test_nulls_rank_above_every_value_on_both_databases(accounts):
    names = list(
        Account.objects.order_by(*ordering(Account, "default_price_list__name")).values_list(
            "default_price_list__name", flat=True
        )
    )
    assert names == ["Outlet"] * 3 + ["Retail"] * 3 + [None] * 7


def test_a_tampered_cursor_gives_the_first_page(accounts):
    qs = Account.objects.all()
    first = keyset_page(qs, "name", {}, size=4)
    for bad in ("garbage", "W10", "WyJ4Iiwibm8tdXVpZCJd", "%%%", "\x00"):
        for direction in ("after", "before"):
            page = keyset_page(qs, "name", {direction: bad, "page": "7"}, size=4)
            assert page.ids == first.ids and page.first and page.number == 1


@pytest.mark.parametrize(
    ("sort", "value"),
    [("state", 10**30), ("total_amount", "9" * 40), ("created_on", "9999-99-99"), ("invoice_date", [1])],
)
def test_a_crafted_cursor_out_of_range_is_ignored(client, boss, invoices, sort, value):
    client.force_login(boss)
    cursor = keyset._encode(value, invoices[0].pk)
    for direction in ("after", "before"):
        response = client.get(reverse("invoice_list") + f"?view=all&sort={sort}&{direction}={cursor}")
        assert response.status_code == 200
        assert len(numbers(response.content.decode())) == 7


def test_the_count_stops_at_the_cap(accounts):
    assert capped_count(Account.objects.all(), 20) == CappedCount(13, 20)
    assert capped_count(Account.objects.all(), 5).value == 6
    assert CappedCount(6, 5).label == "5+ records"
    assert CappedCount(5001).label == "5,000+ records"
    assert CappedCount(5000).label == "5,000 records"
    assert CappedCount(1).label == "1 record"
    with CaptureQueriesContext(connection) as ctx:
        capped_count(Account.objects.all(), 5)
    assert "LIMIT 6" in ctx.captured_queries[0]["sql"]


# --- through the invoice list ---------------------------------------------------------------------


@pytest.fixture
def invoices(account, product, rep) -> list[Invoice]:
    """7 invoices, all with the same total (ties in the Total Amount sort)."""
    out = []
    for n in range(7):
        invoice = services.document_create(Invoice, by=rep, customer=account, name=f"Tie {n}")
        services.line_add(document=invoice, by=rep, product=product, quantity=Decimal("1"))
        out.append(invoice)
    return out


def numbers(html: str) -> list[str]:
    return re.findall(r"<td>(INV-\d+)</td>", html)


def link(html: str, testid: str) -> str | None:
    found = re.search(rf'href="([^"]*)" data-testid="{testid}"', html)
    return reverse("invoice_list") + unescape(found.group(1)) if found else None


def test_the_list_walks_ties_by_next_and_previous_keeping_the_filters(client, boss, invoices, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 3)
    client.force_login(boss)
    url = reverse("invoice_list") + "?view=all&state=0&sort=-total_amount&customer=Account"
    seen, pages, counts = [], [], []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        counts.append(len(ctx.captured_queries))
        pages.append(url)
        seen += numbers(html)
        assert "7 records" in html
        url = link(html, "page-next")
        if url:
            assert "state=0" in url and "customer=Account" in url and "sort=-total_amount" in url
    assert sorted(seen) == sorted(i.invoice_number for i in invoices)
    assert len(seen) == len(set(seen)) == 7
    assert len(pages) == 3 and "page 3 of 3" in html
    back = []
    while True:
        back = numbers(html) + back
        url = link(html, "page-previous")
        if not url:
            break
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        counts.append(len(ctx.captured_queries))
    assert back == seen
    assert link(html, "page-first") is None  # back at the start
    assert len(set(counts)) == 1, counts  # the same queries on every page, either way


def test_a_capped_count_shows_5000_plus(client, boss, invoices, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    client.force_login(boss)
    html = client.get(reverse("invoice_list") + "?view=all").content.decode()
    assert "5+ records" in html and " of " not in re.search(r'record-count">[^<]*', html).group(0)


def test_page_queries_do_not_grow_with_the_rows_or_the_depth(
    client, boss, account, product, rep, monkeypatch
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 5)
    client.force_login(boss)
    url = reverse("invoice_list") + "?view=all"

    def queries(target: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(target).content.decode()
        return len(ctx.captured_queries), html

    for n in range(6):
        invoice = services.document_create(Invoice, by=rep, customer=account, name=f"Q {n}")
        services.line_add(document=invoice, by=rep, product=product, quantity=Decimal("1"))
    small, html = queries(url)
    for n in range(14):
        services.document_create(Invoice, by=rep, customer=factories.AccountFactory(), name=f"More {n}")
    large, html = queries(url)
    deeper, html = queries(link(html, "page-next"))
    deepest, _ = queries(link(html, "page-next"))
    assert small == large == deeper == deepest


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("related_ids", [lists.RELATED_IDS, 0])  # 0: customers matched by a subquery
def test_search_by_number_name_and_customer(client, boss, invoices, rep, related_ids, monkeypatch):
    monkeypatch.setattr(lists, "RELATED_IDS", related_ids)
    other = services.document_create(
        Invoice, by=rep, customer=factories.ContactFactory(last_name="Zwicky"), name="Cabling data centre"
    )
    client.force_login(boss)
    base = reverse("invoice_list") + "?view=all"
    target = invoices[3]
    assert numbers(client.get(f"{base}&q={target.invoice_number.lower()}").content.decode()) == [
        target.invoice_number
    ]
    assert numbers(client.get(f"{base}&q=DATA+cent").content.decode()) == [other.invoice_number]
    assert numbers(client.get(f"{base}&customer=zwick").content.decode()) == [other.invoice_number]
    assert len(numbers(client.get(f"{base}&customer={target.customer_account.name}").content.decode())) == 7
    assert numbers(client.get(f"{base}&q=no+such+thing").content.decode()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("model", "lookup", "index"),
    [
        (Invoice, "invoice_number__icontains", "invoice_number_trgm"),
        (Invoice, "name__icontains", "invoice_name_trgm"),
        (Account, "name__icontains", "account_name_trgm"),
    ],
)
def test_postgresql_searches_through_the_trigram_indexes(model, lookup, index):
    with connection.cursor() as cursor:
        # a tiny table: forbid the scans a planner may prefer on it (a seqscan, or walking a btree
        # index whole — the sort index on name), so that the plan shows whether the GIN index serves
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        sql, params = model.objects.filter(**{lookup: "abc"}).order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
