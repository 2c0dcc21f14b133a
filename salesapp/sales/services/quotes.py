"""Quote actions: activate, revise, close, win, create order / invoice (SPEC §4, §5)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from salesapp.sales.models import Invoice, Quote, SalesOrder, TimelineKind

from .common import lock, record, refresh_pricing, require_issuable, today, touch
from .documents import copy_document, link_events
from .opportunities import opportunity_lose, opportunity_win


@transaction.atomic
def quote_activate(
    *, quote: Quote, by: Any, status: int | None = None, expected_version: int | None = None
) -> Quote:
    """Draft → Active (read-only from then on). A quote without products may be activated, as in
    Microsoft's own sample program; one with a pricing error may not (SPEC §3.6)."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("activate", quote.state)
    refresh_pricing(quote, by=by)
    require_issuable(quote, "activate")
    quote.lifecycle.apply(quote, "activate", status)
    touch(quote, "state", "status")
    record(quote, TimelineKind.STATE_CHANGED, "Activated", by=by)
    return quote


@transaction.atomic
def quote_revise(*, quote: Quote, by: Any, expected_version: int | None = None) -> Quote:
    """Active → Closed/Revised, and a Draft copy with the same number and revision + 1."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.apply(quote, "revise")
    quote.closed_on = today()
    touch(quote, "state", "status", "closed_on")
    draft = copy_document(
        quote,
        Quote,
        by=by,
        extra={
            "quote_number": quote.quote_number,
            "revision_number": quote.revision_number + 1,
            "opportunity": quote.opportunity,
            "revised_from": quote,
            "effective_from": quote.effective_from,
            "effective_to": quote.effective_to,
            "due_by": quote.due_by,
        },
    )
    link_events(quote, draft, by=by)
    return draft


@transaction.atomic
def quote_close(
    *,
    quote: Quote,
    by: Any,
    status: int | None = None,
    close_date: datetime.date | None = None,
    close_opportunity: bool = False,
    description: str = "",
    expected_version: int | None = None,
) -> Quote:
    """Close Quote: Active → Closed with Lost or Canceled; optionally close the opportunity as lost."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.apply(quote, "close", status)
    quote.closed_on = close_date or today()
    touch(quote, "state", "status", "closed_on")
    record(
        quote,
        TimelineKind.STATE_CHANGED,
        f"Closed ({quote.status_label})",
        by=by,
        description=description,
    )
    if close_opportunity and quote.opportunity is not None and quote.opportunity.state == 0:
        opportunity_lose(opportunity=quote.opportunity, by=by, close_date=quote.closed_on)
    return quote


def _win(quote: Quote, by: Any, close_opportunity: bool, action: str) -> None:
    was = quote.state
    quote.lifecycle.apply(quote, action)
    if quote.state != was:
        quote.closed_on = today()
        touch(quote, "state", "status", "closed_on")
        record(quote, TimelineKind.STATE_CHANGED, "Won", by=by)
    else:
        touch(quote)
    if close_opportunity and quote.opportunity is not None and quote.opportunity.state == 0:
        opportunity_win(opportunity=quote.opportunity, by=by, actual_revenue=quote.total_amount)


@transaction.atomic
def quote_win(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> Quote:
    """WinQuote: Active → Won."""
    quote = lock(quote, expected_version=expected_version)
    _win(quote, by, close_opportunity, "win")
    return quote


@transaction.atomic
def quote_create_order(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> SalesOrder:
    """ConvertQuoteToSalesOrder: a locked order with the quote's products; the quote becomes Won."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("convert", quote.state)
    require_issuable(quote, "convert")
    order = copy_document(
        quote,
        SalesOrder,
        by=by,
        extra={
            "quote": quote,
            "opportunity": quote.opportunity,
            "prices_locked": True,
        },
    )
    link_events(quote, order, by=by)
    _win(quote, by, close_opportunity, "convert")
    return order


@transaction.atomic
def quote_create_invoice(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> Invoice:
    """(Sales Professional) Active or Won quote → a locked invoice; the quote becomes Won."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("convert", quote.state)
    require_issuable(quote, "convert")
    invoice = copy_document(
        quote,
        Invoice,
        by=by,
        extra={
            "quote": quote,
            "opportunity": quote.opportunity,
            "prices_locked": True,
        },
    )
    link_events(quote, invoice, by=by)
    _win(quote, by, close_opportunity, "convert")
    return invoice
