"""The home dashboard: count cards that are their lists' own querysets, and four charts in the base
currency (pipeline, revenue won, invoices by status, receivables aging) whose bars open the list
filtered to exactly the rows they count.

Cards: each is a list URL (kind + query string); its rows come from `list_queryset` of that very
page, and so do its count and total — except the open and overdue invoices', which add up the
summary's receivables (a quarter of a million open invoices at a million aren't summed per request);
tests hold each card's count to its list's rows. Charts read the summary table (salesapp.reporting,
kept by the services); a rep sees their own figures, a manager everyone's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from salesapp.accounts.decorators import salesperson_required
from salesapp.accounts.roles import is_manager
from salesapp.core import formatting as fmt
from salesapp.core.views.lists import list_queryset

from .. import selectors
from ..figures import month_of
from ..models import Opportunity
from ..states import InvoiceStatus, OpportunityState, OpportunityStatus, QuoteState
from .documents import list_page
from .kinds import INVOICE, OPPORTUNITY, ORDER, QUOTE, Kind, url_of


@dataclass(frozen=True)
class Card:
    testid: str
    title: str
    kind: Kind
    query: dict[str, Any]  # the list's query string: what the card counts, lists and links to
    balance: bool = False  # invoices: the balance due in the base currency, and due dates
    # the open invoices ("open") or the overdue ones ("overdue"): count and balance from the summary
    receivables: str = ""

    def link(self) -> str:
        return f"{self.kind.list_url()}?{urlencode(self.query)}"


CARDS = (
    Card(
        "dash-opportunities",
        "My open opportunities",
        OPPORTUNITY,
        {"view": "my", "sort": "estimated_close_date"},
    ),
    Card(
        "dash-quotes",
        "Quotes to follow up",
        QUOTE,
        {"view": "all", "state": QuoteState.ACTIVE, "owner": "me"},
    ),
    Card("dash-orders", "Open orders", ORDER, {"view": "open"}),
    Card("dash-invoices", "Open invoices", INVOICE, {"view": "balance"}, balance=True, receivables="open"),
    Card(
        "dash-overdue",
        "Overdue invoices",
        INVOICE,
        {"view": "overdue", "sort": "due_date"},
        balance=True,
        receivables="overdue",
    ),
)


def card_queryset(card: Card, user: Any) -> Any:
    """The rows the card's list shows this user, in the list's order."""
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in card.query.items()})
    qs, _applied, _view = list_queryset(list_page(card.kind), user, query)
    return qs


def card_context(card: Card, user: Any, aging: list[dict[str, Any]]) -> dict[str, Any]:
    """`aging`: every owner's receivables by aging bucket (the open and overdue cards add them up)."""
    qs = card_queryset(card, user)
    rows = selectors.first_rows(qs)
    for doc in rows:
        doc.url = url_of(doc)
    if card.receivables:
        summary = selectors.receivables_summary(aging, overdue=card.receivables == "overdue")
    elif card.balance:
        summary = selectors.balance_summary(qs)
    else:
        summary = selectors._summary(selectors._per_currency(qs))
    return {"card": card, "url": card.link(), "rows": rows, "summary": summary}


# --- charts --------------------------------------------------------------------------------------


def _bars(
    title: str, testid: str, unit: str, places: int, bars: list[tuple[str, dict[str, Any], str]]
) -> dict[str, Any]:
    """A chart as the template and static/js/dashboard.js take it: (label, figure, list URL) per bar;
    `unit` "count" plots the number of records, "amount" the base-currency sum."""
    return {
        "title": title,
        "testid": testid,
        "unit": unit,
        "bars": [
            {
                "label": label,
                "count": figure.get("count", 0),
                "amount": str(figure.get("amount", Decimal(0))),
                "amount_shown": fmt.amount(figure.get("amount", Decimal(0)), places),
                "url": url,
            }
            for label, figure, url in bars
        ],
    }


def charts(user: Any, today: datetime.date, everyones_aging: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The four charts; `everyones_aging`: the receivables aging of every owner (a manager's chart)."""
    owner = None if is_manager(user) else user.pk
    mine = {} if owner is None else {"owner": "me"}
    code, places = selectors.base_currency()
    in_base = f" ({code})" if code else ""
    opportunities, invoices = OPPORTUNITY.list_url(), INVOICE.list_url()

    def link(base: str, **query: Any) -> str:
        return f"{base}?{urlencode({'view': 'all', **query, **mine})}"

    pipeline = selectors.pipeline_by_status(owner)
    open_statuses = [OpportunityStatus(s) for s in Opportunity.lifecycle.reasons[OpportunityState.OPEN]]
    months = selectors.last_months(today)
    won = selectors.revenue_won_by_month(months, owner)
    by_status = selectors.invoices_by_status(owner)
    aging = everyones_aging if owner is None else selectors.receivables_aging(today, owner)
    return [
        _bars(
            f"Pipeline by status reason{in_base}",
            "chart-pipeline",
            "amount",
            places,
            [
                (
                    s.label,
                    pipeline.get(s, {}),
                    link(opportunities, state=OpportunityState.OPEN, status=s.value),
                )
                for s in open_statuses
            ],
        ),
        _bars(
            f"Revenue won per month{in_base}",
            "chart-revenue",
            "amount",
            places,
            [
                (
                    fmt.month(m),
                    won.get(month_of(m), {}),
                    link(opportunities, state=OpportunityState.WON, closed=m.strftime("%Y-%m")),
                )
                for m in months
            ],
        ),
        _bars(
            "Invoices by status reason",
            "chart-invoice-status",
            "count",
            places,
            [
                (s.label, by_status[s], link(invoices, status=s.value))
                for s in InvoiceStatus
                if s in by_status
            ],
        ),
        _bars(
            f"Receivables aging{in_base}",
            "chart-aging",
            "amount",
            places,
            [(b["label"], b, link(invoices, aging=b["key"])) for b in aging],
        ),
    ]


@salesperson_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    aging = selectors.receivables_aging(today)  # every owner's: the cards', and a manager's chart
    context = {
        "cards": [card_context(card, request.user, aging) for card in CARDS],
        "charts": charts(request.user, today, aging),
    }
    return render(request, "home.html", context)
