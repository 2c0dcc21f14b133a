"""Quote actions: activate, revise, close, win, create order / invoice (SPEC §4, §5)."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.db import transaction

from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, Quote, QuoteClose, SalesOrder, TimelineKind
from salesapp.sales.states import QuoteState, QuoteStatus

from .common import lock, record, record_close, refresh_pricing, require, require_issuable, today, touch
from .documents import copy_document, link_events
from .opportunities import opportunity_lose, opportunity_win


@transaction.atomic
def quote_activate(
    *, quote: Quote, by: Any, status: int | None = None, expected_version: int | None = None
) -> Quote:
    """Draft → Active (read-only from then on). A quote without products may be activated, as in
    Microsoft's own sample program; one with a pricing error may not (SPEC §3.6)."""
    quote = lock(quote, expected_version=expected_version)
    require(quote, "activate")
    refresh_pricing(quote, by=by)
    require_issuable(quote, "activate")
    quote.lifecycle.apply(quote, "activate", status)
    touch(quote, "state", "status")
    record(quote, TimelineKind.STATE_CHANGED, "Activated", by=by)
    return quote


def _close_activity(
    quote: Quote, by: Any, *, subject: str, description: str, actual_end: datetime.date
) -> None:
    record_close(
        QuoteClose, quote, by=by, subject=subject, quote=quote, description=description, actual_end=actual_end
    )


def _new_revision(quote: Quote, by: Any) -> Quote:
    """A Draft copy of a quote just closed as Revised: same number, revision + 1."""
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
            "requested_delivery_by": quote.requested_delivery_by,
        },
    )
    link_events(quote, draft, by=by)
    return draft


@transaction.atomic
def quote_revise(*, quote: Quote, by: Any, expected_version: int | None = None) -> Quote:
    """Active → Closed/Revised, and a Draft copy with the same number and revision + 1."""
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.apply(quote, "revise")
    quote.closed_on = today()
    touch(quote, "state", "status", "closed_on")
    _close_activity(quote, by, subject="", description="", actual_end=quote.closed_on)
    return _new_revision(quote, by)


def is_last_open_quote(quote: Quote) -> bool:
    """Close Quote offers "close the opportunity as lost" only on the opportunity's last open quote."""
    if not quote.opportunity_id:
        return False
    others = Quote.objects.filter(
        opportunity_id=quote.opportunity_id, state__in=(QuoteState.DRAFT, QuoteState.ACTIVE)
    ).exclude(pk=quote.pk)
    return not others.exists()


@transaction.atomic
def quote_close(
    *,
    quote: Quote,
    by: Any,
    status: int | None = None,
    close_date: datetime.date | None = None,
    close_opportunity: bool = False,
    create_revision: bool = False,
    subject: str = "",
    description: str = "",
    expected_version: int | None = None,
) -> Quote:
    """Close Quote: Active → Closed as Canceled, Lost or Revised, with its close activity.

    Closed as Revised, it can create the revised Draft (returned instead of the closed quote); on
    the opportunity's last open quote, it can close the opportunity as lost.
    """
    quote = lock(quote, expected_version=expected_version)
    quote.lifecycle.apply(quote, "close", status)
    if create_revision and quote.status != QuoteStatus.REVISED:
        raise ValidationFailed(
            "Only a quote closed as Revised creates a revised quote.", field="create_revision"
        )
    if close_opportunity and not is_last_open_quote(quote):
        raise ValidationFailed(
            "The opportunity has other open quotes: it can be closed only with its last one.",
            field="close_opportunity",
        )
    quote.closed_on = close_date or today()
    touch(quote, "state", "status", "closed_on")
    _close_activity(quote, by, subject=subject, description=description, actual_end=quote.closed_on)
    record(
        quote, TimelineKind.STATE_CHANGED, f"Closed ({quote.status_label})", by=by, description=description
    )
    opportunity = quote.opportunity
    if close_opportunity and opportunity is not None and opportunity.state == 0:
        opportunity_lose(opportunity=opportunity, by=by, close_date=quote.closed_on)
    return _new_revision(quote, by) if create_revision else quote


def _win(quote: Quote, by: Any, close_opportunity: bool, action: str, close: dict[str, Any]) -> None:
    was = quote.state
    quote.lifecycle.apply(quote, action)
    if quote.state != was:
        quote.closed_on = close.get("close_date") or today()
        touch(quote, "state", "status", "closed_on")
        _close_activity(
            quote,
            by,
            subject=close.get("subject") or "",
            description=close.get("description") or "",
            actual_end=quote.closed_on,
        )
        record(quote, TimelineKind.STATE_CHANGED, "Won", by=by)
    else:
        touch(quote)
    opportunity = quote.opportunity
    if close_opportunity and opportunity is not None and opportunity.state == 0:
        opportunity_win(opportunity=opportunity, by=by, actual_revenue=quote.total_amount)


@transaction.atomic
def quote_win(
    *,
    quote: Quote,
    by: Any,
    close_opportunity: bool = False,
    close_date: datetime.date | None = None,
    subject: str = "",
    description: str = "",
    expected_version: int | None = None,
) -> Quote:
    """WinQuote: Active → Won, with its close activity."""
    quote = lock(quote, expected_version=expected_version)
    close = {"close_date": close_date, "subject": subject, "description": description}
    _win(quote, by, close_opportunity, "win", close)
    return quote


C = TypeVar("C", SalesOrder, Invoice)


def _convert(quote: Quote, model: type[C], by: Any, close_opportunity: bool, **close: Any) -> C:
    require(quote, "convert")
    require_issuable(quote, "convert")
    extra: dict[str, Any] = {"quote": quote, "opportunity": quote.opportunity, "prices_locked": True}
    if model is SalesOrder:
        extra["requested_delivery_by"] = quote.requested_delivery_by
    document = copy_document(quote, model, by=by, extra=extra)
    link_events(quote, document, by=by)
    _win(quote, by, close_opportunity, "convert", close)
    return document


@transaction.atomic
def quote_create_order(
    *,
    quote: Quote,
    by: Any,
    close_opportunity: bool = False,
    close_date: datetime.date | None = None,
    subject: str = "",
    description: str = "",
    expected_version: int | None = None,
) -> SalesOrder:
    """ConvertQuoteToSalesOrder: a locked order with the quote's products; the quote becomes Won
    (QuoteCloseDate / QuoteCloseSubject / QuoteCloseDescription go on its close activity)."""
    quote = lock(quote, expected_version=expected_version)
    return _convert(
        quote,
        SalesOrder,
        by,
        close_opportunity,
        close_date=close_date,
        subject=subject,
        description=description,
    )


@transaction.atomic
def quote_create_invoice(
    *, quote: Quote, by: Any, close_opportunity: bool = False, expected_version: int | None = None
) -> Invoice:
    """(Sales Professional) Active or Won quote → a locked invoice; the quote becomes Won."""
    quote = lock(quote, expected_version=expected_version)
    return _convert(quote, Invoice, by, close_opportunity)
