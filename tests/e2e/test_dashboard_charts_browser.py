"""The dashboard's charts in Chromium: they render (a canvas each, no console error), and clicking a
bar opens the list filtered to exactly the rows the bar counts, as a rep and as a manager.
Saves var/screenshots/<test>.png."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity
from tests.e2e.browser import login

pytestmark = pytest.mark.browser

CHARTS = ("chart-pipeline", "chart-revenue", "chart-invoice-status", "chart-aging")


@pytest.fixture
def documents(rep, boss, account, product):
    today = timezone.localdate()
    for n, owner in enumerate((rep, rep, boss)):
        opp = services.document_create(Opportunity, by=owner, customer=account, name=f"Deal {n}")
        services.line_add(document=opp, by=owner, product=product, quantity=Decimal(n + 1))
    won = services.document_create(Opportunity, by=rep, customer=account, name="Won")
    services.opportunity_win(opportunity=won, by=rep, actual_revenue=Decimal("900.00"), close_date=today)
    for n, (owner, days) in enumerate(((rep, 0), (rep, 40), (rep, 100), (boss, 40), (boss, 5))):
        doc = services.document_create(
            Invoice,
            by=owner,
            customer=account,
            name=f"Invoice {n}",
            invoice_date=today - datetime.timedelta(days=150),
        )
        services.document_update(doc, by=owner, due_date=today - datetime.timedelta(days=days))
        services.line_add(
            document=doc,
            by=owner,
            write_in_name="Work",
            quantity=Decimal(1),
            price_per_unit=Decimal("100.00"),
        )
        if n == 4:
            services.invoice_mark_paid(invoice=Invoice.objects.get(pk=doc.pk), by=boss)


def open_dashboard(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(reverse("home"))
    for chart in CHARTS:
        expect(page.locator(f'[data-testid="{chart}-canvas"][data-ready="1"]')).to_have_count(1)
    return errors


def click_bar(page: Any, chart: str, index: int) -> int:
    """Click the bar's middle on the canvas, as a user does; returns the count the bar stands for."""
    canvas = page.get_by_test_id(f"{chart}-canvas")
    canvas.scroll_into_view_if_needed()
    spot = page.evaluate(
        """([chart, index]) => {
            const canvas = document.querySelector(`[data-testid="${chart}-canvas"]`);
            const bar = Chart.getChart(canvas).getDatasetMeta(0).data[index];
            const data = JSON.parse(document.getElementById(`${chart}-data`).textContent);
            return {x: bar.x, y: (bar.y + bar.base) / 2, count: data.bars[index].count};
        }""",
        [chart, index],
    )
    canvas.click(position={"x": spot["x"], "y": spot["y"]})
    page.wait_for_url("**/?view=*")
    return int(spot["count"])


def bar_index(page: Any, chart: str, label: str) -> int:
    labels = page.evaluate(
        "(chart) => JSON.parse(document.getElementById(`${chart}-data`).textContent).bars.map(b => b.label)",
        chart,
    )
    return labels.index(label)


@pytest.mark.parametrize("who", ["rep", "boss"])
def test_charts_render_and_a_bar_opens_the_list_of_its_rows(page, shoot, documents, who, request):
    user = request.getfixturevalue(who)
    login(page, user.username)
    errors = open_dashboard(page)
    shoot("dashboard")
    assert errors == []

    count = click_bar(page, "chart-invoice-status", bar_index(page, "chart-invoice-status", "New"))
    assert "/invoices/" in page.url and "status=" in page.url
    expect(page.get_by_test_id("list-row")).to_have_count(count)
    assert count == (3 if who == "rep" else 4)  # the paid one is Complete, not New
    shoot("invoices-by-status")

    page.goto(reverse("home"))
    count = click_bar(page, "chart-aging", bar_index(page, "chart-aging", "31–60 days"))
    assert "aging=31-60" in page.url
    expect(page.get_by_test_id("list-row")).to_have_count(count)
    expect(page.get_by_test_id("list-filter-aging")).to_be_visible()
    assert count == (1 if who == "rep" else 2)
    shoot("aging")

    page.goto(reverse("home"))
    count = click_bar(page, "chart-pipeline", bar_index(page, "chart-pipeline", "In Progress"))
    expect(page.get_by_test_id("list-row")).to_have_count(count)
    assert count == (2 if who == "rep" else 3)
    assert errors == []
