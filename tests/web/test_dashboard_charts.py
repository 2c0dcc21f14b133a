"""Dashboard charts and cards: every figure is the row count of the list it links to, as a rep and as
a manager; the charts read the summary table, in a number of queries that doesn't grow."""

from __future__ import annotations

import datetime
import html
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote
from salesapp.sales.selectors import AGING_BUCKETS, aging_bucket, receivables_aging
from salesapp.sales.states import OpportunityStatus
from salesapp.sales.views.dashboard import CARDS

pytestmark = pytest.mark.django_db

ROW = 'data-testid="list-row"'


def invoice(by: Any, customer: Any, name: str, amount: str, due: datetime.date | None) -> Invoice:
    today = timezone.localdate()
    doc = services.document_create(
        Invoice, by=by, customer=customer, name=name, invoice_date=today - datetime.timedelta(days=200)
    )
    if due is not None:
        services.document_update(doc, by=by, due_date=due)
    services.line_add(
        document=doc, by=by, write_in_name="Work", quantity=Decimal(1), price_per_unit=Decimal(amount)
    )
    doc.refresh_from_db()
    return doc


@pytest.fixture
def book(rep, boss, account, product):
    """A little of everything, for two owners: open, won and lost opportunities, an active quote, an
    order, invoices in every aging bucket, paid, part paid and canceled."""
    today = timezone.localdate()
    for owner, names in ((rep, ("Alpha", "Beta", "Gamma")), (boss, ("Delta", "Epsilon"))):
        for name in names:
            opp = services.document_create(Opportunity, by=owner, customer=account, name=name)
            services.line_add(document=opp, by=owner, product=product, quantity=Decimal(2))
        won = services.document_create(Opportunity, by=owner, customer=account, name=f"Won by {owner}")
        services.opportunity_win(
            opportunity=won, by=owner, actual_revenue=Decimal("1234.50"), close_date=today.replace(day=1)
        )
        lost = services.document_create(Opportunity, by=owner, customer=account, name=f"Lost by {owner}")
        services.opportunity_lose(opportunity=lost, by=owner)
        hold = services.document_create(Opportunity, by=owner, customer=account, name=f"Held by {owner}")
        services.document_set_status(document=hold, by=owner, status=OpportunityStatus.ON_HOLD)
    quote = services.document_create(Quote, by=rep, customer=account, name="Offer")
    services.line_add(document=quote, by=rep, product=product, quantity=Decimal(1))
    services.quote_activate(quote=quote, by=rep)
    services.quote_create_order(quote=quote, by=rep)
    for owner in (rep, boss):
        for days in (-10, 0, 5, 45, 75, 200):
            invoice(owner, account, f"Due {days}", "100.00", today - datetime.timedelta(days=days))
        invoice(owner, account, "No due date", "10.00", None)
        paid = invoice(owner, account, "Paid", "80.00", today)
        services.invoice_mark_paid(invoice=paid, by=owner)
        part = invoice(owner, account, "Part paid", "90.00", today - datetime.timedelta(days=40))
        services.payment_record(invoice=part, by=owner, amount=Decimal("30.00"))
        canceled = invoice(owner, account, "Canceled", "70.00", today)
        services.invoice_cancel(invoice=canceled, by=owner)


def rows_of(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().count(ROW)


def charts_of(page: str) -> dict[str, dict[str, Any]]:
    found = re.findall(
        r'<script id="(chart-[a-z-]+)-data" type="application/json">(.*?)</script>', page, re.S
    )
    return {name: json.loads(data) for name, data in found}


@pytest.mark.parametrize("who", ["rep", "boss"])
def test_each_card_counts_exactly_the_rows_of_the_list_it_links_to(client, book, who, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("home")).content.decode()
    for card in CARDS:
        count = int(re.search(rf'data-testid="{card.testid}-count">(\d+)<', page).group(1))
        link = html.unescape(re.search(rf'href="([^"]+)" data-testid="{card.testid}-link"', page).group(1))
        assert rows_of(client, link) == count, card.title
    assert 'data-testid="dash-overdue-count">0<' not in page


@pytest.mark.parametrize("who", ["rep", "boss"])
def test_each_bar_opens_the_list_of_exactly_the_rows_it_counts(client, book, rep, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    charts = charts_of(page)
    assert set(charts) == {"chart-pipeline", "chart-revenue", "chart-invoice-status", "chart-aging"}
    checked = 0
    for chart in charts.values():
        for bar in chart["bars"]:
            assert rows_of(client, bar["url"]) == bar["count"], (chart["title"], bar["label"])
            checked += bar["count"] > 0
    assert checked >= 8
    aging = {b["label"]: b for b in charts["chart-aging"]["bars"]}
    assert [b[1] for b in AGING_BUCKETS] == list(aging)
    mine = 1 if who == "rep" else 2  # a rep sees their own figures, a manager everyone's
    # not yet due: due today, in 10 days and no due date (10.00); 31–60: 45 days and the part paid one
    assert aging["Not yet due"]["count"] == 3 * mine
    assert Decimal(aging["Not yet due"]["amount"]) == Decimal("210.00") * mine
    assert aging["31–60 days"]["count"] == 2 * mine
    assert Decimal(aging["31–60 days"]["amount"]) == Decimal("160.00") * mine
    assert aging["Over 90 days"]["count"] == mine
    revenue = charts["chart-revenue"]["bars"]
    assert len(revenue) == 12 and Decimal(revenue[-1]["amount"]) == Decimal("1234.50") * mine
    pipeline = {b["label"]: b for b in charts["chart-pipeline"]["bars"]}
    assert pipeline["In Progress"]["count"] == (3 if who == "rep" else 5)
    assert pipeline["On Hold"]["count"] == mine
    # the accessible fallback: each chart's figures in a table
    assert page.count('<table class="visually-hidden"') == 4 and "USD" in charts["chart-aging"]["title"]


def test_the_dashboards_queries_dont_grow_with_the_number_of_documents(client, rep, boss, account, product):
    today = timezone.localdate()
    client.force_login(boss)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    invoice(rep, account, "First", "10.00", today - datetime.timedelta(days=40))  # every card has rows
    few = queries()
    for n in range(6):
        invoice(
            rep if n % 2 else boss, account, f"More {n}", "10.00", today - datetime.timedelta(days=30 * n)
        )
        opp = services.document_create(Opportunity, by=rep, customer=account, name=f"Deal {n}")
        services.opportunity_win(opportunity=opp, by=rep, actual_revenue=Decimal(5), close_date=today)
    assert queries() == few
    assert few <= 25


def test_bad_chart_filters_are_ignored_not_a_500(client, boss, book):
    client.force_login(boss)
    for name, query in (
        ("invoice_list", "status=abc"),
        ("invoice_list", "status=99999999999999999999"),
        ("invoice_list", "aging=zzz"),
        ("opportunity_list", "closed=2026-13"),
        ("opportunity_list", "closed=%00"),
    ):
        page = client.get(f"{reverse(name)}?view=all&{query}")
        assert page.status_code == 200
        assert "list-filter-" not in page.content.decode(), query
    page = client.get(f"{reverse('invoice_list')}?view=all&aging=31-60").content.decode()
    assert 'data-testid="list-filter-aging"' in page and 'name="aging" value="31-60"' in page


def test_the_dashboard_reads_only_open_invoices_and_the_summary(client, boss, book):
    """At a million invoices most are paid: every query of the page that reads the invoice table is
    bounded by the open ones (balance due > 0, invoice_open_due_idx) or fetches a card's few rows by
    id; invoices by status comes from the summary table."""
    client.force_login(boss)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("home"))
    invoice_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "sales_invoice"' in q["sql"]]
    assert invoice_reads
    for sql in invoice_reads:
        assert '"sales_invoice"."balance_due" >' in sql or '"sales_invoice"."id" IN (' in sql, sql
    assert any("reporting_documentfigure" in q["sql"] for q in ctx.captured_queries)


def test_receivables_aging_is_summed_from_the_summary_and_agrees_with_the_invoices(boss, book):
    """One query over the summary's receivables (one row per owner, status and due date), none over
    the invoices; each bucket's count and balance are those of the invoices its bar lists."""
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as ctx:
        aging = receivables_aging(today)
    assert len(ctx.captured_queries) == 1 and "reporting_documentfigure" in ctx.captured_queries[0]["sql"]
    for bucket in aging:
        invoices = Invoice.objects.filter(aging_bucket(bucket["key"], today))
        assert bucket["count"] == invoices.count(), bucket["key"]
        assert bucket["amount"] == sum(invoices.values_list("balance_due_base", flat=True)), bucket["key"]
