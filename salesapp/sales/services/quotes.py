"""Quote actions: activate, revise, close, win, create order / invoice (SPEC §4, §5)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, Quote, SalesOrder, TimelineKind
from salesapp.sales.states import QuoteState, QuoteStatus

from .common import lock, record, today, touch
from .documents import copy_document, link_events
from .opportunities import opportunity_lose, opportunity_win


@transaction.atomic
def quote_activate(*, quote: Quote, by: Any, expected_version: int | None = None) -> Quote:
    """Draft → Active (read-only from then on)."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("activate", quote.state)
    if not quote.total_amount and not quote.lines.exists():
        raise ValidationFailed("Add at least one product before activating the quote.", field="lines")
    quote.state, quote.status = QuoteState.ACTIVE, QuoteStatus.IN_PROGRESS_ACTIVE
    touch(quote, "state", "status")
    record(quote, TimelineKind.STATE_CHANGED, "Activated", by=by)
    return quote


@transaction.atomic
def quote_revise(*, quote: Quote, by: Any, expected_version: int | None = None) -> Quote:
    """Active → Closed/Revised, and a Draft copy with the same number and revision + 1."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("revise", quote.state)
    quote.state, quote.status = QuoteState.CLOSED, QuoteStatus.REVISED
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
    status: int = QuoteStatus.CANCELED,
    close_date: datetime.date | None = None,
    close_opportunity: bool = False,
    description: str = "",
    expected_version: int | None = None,
) -> Quote:
    """Close Quote: Active → Closed with Lost or Canceled; optionally close the opportunity as lost."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("close", quote.state)
    if status not in (QuoteStatus.LOST, QuoteStatus.CANCELED):
        raise ValidationFailed("A quote is closed as Lost or Canceled.", field="status")
    quote.state, quote.status = QuoteState.CLOSED, status
    quote.closed_on = close_date or today()
    touch(quote, "state", "status", "closed_on")
    record(
        quote,
        TimelineKind.STATE_CHANGED,
        f"Closed ({QuoteStatus(status).label})",
        by=by,
        description=description,
    )
    if close_opportunity and quote.opportunity_id and quote.opportunity.state == 0:
        opportunity_lose(opportunity=quote.opportunity, by=by, close_date=quote.closed_on)
    return quote


def _win(quote: Quote, by: Any, close_opportunity: bool) -> None:
    if quote.state == QuoteState.ACTIVE:
        quote.state, quote.status = QuoteState.WON, QuoteStatus.WON
        quote.closed_on = today()
        touch(quote, "state", "status", "closed_on")
        record(quote, TimelineKind.STATE_CHANGED, "Won", by=by)
    else:
        touch(quote)
    if close_opportunity and quote.opportunity_id and quote.opportunity.state == 0:
        opportunity_win(opportunity=quote.opportunity, by=by, actual_revenue=quote.total_amount)


@transaction.atomic
def quote_win(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> Quote:
    """WinQuote: Active → Won."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("win", quote.state)
    _win(quote, by, close_opportunity)
    return quote


@transaction.atomic
def quote_create_order(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> SalesOrder:
    """ConvertQuoteToSalesOrder: a locked order with the quote's products; the quote becomes Won."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("convert", quote.state)
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
    _win(quote, by, close_opportunity)
    return order


@transaction.atomic
def quote_create_invoice(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> Invoice:
    """(Sales Professional) Active or Won quote → a locked invoice; the quote becomes Won."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.require("convert", quote.state)
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
    _win(quote, by, close_opportunity)
    return invoice
