"""Opportunity actions: close as won / lost, reopen, generate quote / order / invoice (SPEC §4, §5)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesapp.core import formatting as fmt
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, Opportunity, OpportunityClose, Quote, SalesOrder, TimelineKind

from .common import D, lock, record, record_close, refresh_pricing, require, require_issuable, today, touch
from .documents import copy_document, link_events


def _close_activity(opp: Opportunity, by: Any, *, subject: str) -> None:
    record_close(
        OpportunityClose,
        opp,
        by=by,
        subject=subject,
        opportunity=opp,
        description=opp.close_description,
        actual_end=opp.actual_close_date,
        actual_revenue=opp.actual_revenue,
        competitor=opp.competitor,
    )


@transaction.atomic
def opportunity_win(
    *,
    opportunity: Opportunity,
    by: Any,
    actual_revenue: Decimal | None = None,
    close_date: datetime.date | None = None,
    subject: str = "",
    description: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """WinOpportunity: Open → Won, with its close activity (actual revenue, date)."""
    opp = lock(opportunity, expected_version=expected_version)
    require(opp, "win")
    if actual_revenue is not None and actual_revenue < 0:
        raise ValidationFailed("Actual revenue can't be negative.", field="actual_revenue")
    opp.lifecycle.apply(opp, "win")
    opp.actual_revenue = actual_revenue if actual_revenue is not None else opp.estimated_value
    opp.actual_close_date = close_date or today()
    opp.close_description = description
    touch(opp, "state", "status", "actual_revenue", "actual_close_date", "close_description")
    _close_activity(opp, by, subject=subject)
    record(
        opp,
        TimelineKind.STATE_CHANGED,
        f"Closed as won ({fmt.amount(opp.actual_revenue, opp.currency.precision)})",
        by=by,
    )
    return opp


@transaction.atomic
def opportunity_lose(
    *,
    opportunity: Opportunity,
    by: Any,
    status: int | None = None,
    competitor: str = "",
    close_date: datetime.date | None = None,
    subject: str = "",
    description: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """LoseOpportunity: Open → Lost (Canceled or Out-Sold), with its close activity."""
    opp = lock(opportunity, expected_version=expected_version)
    opp.lifecycle.apply(opp, "lose", status)
    opp.actual_revenue = Decimal("0")
    opp.actual_close_date = close_date or today()
    opp.competitor = competitor
    opp.close_description = description
    touch(opp, "state", "status", "actual_revenue", "actual_close_date", "competitor", "close_description")
    _close_activity(opp, by, subject=subject)
    record(opp, TimelineKind.STATE_CHANGED, f"Closed as lost ({opp.status_label})", by=by)
    return opp


@transaction.atomic
def opportunity_reopen(
    *, opportunity: Opportunity, by: Any, expected_version: int | None = None
) -> Opportunity:
    opp = lock(opportunity, expected_version=expected_version)
    opp.lifecycle.apply(opp, "reopen")
    opp.actual_revenue = None
    opp.actual_close_date = None
    touch(opp, "state", "status", "actual_revenue", "actual_close_date")
    record(opp, TimelineKind.STATE_CHANGED, "Reopened", by=by)
    return opp


def _generate(
    model: type[D], opportunity: Opportunity, by: Any, expected_version: int | None, **extra: Any
) -> D:
    opp = lock(opportunity, expected_version=expected_version)
    require(opp, "generate")
    if model is not Quote:  # an order or an invoice is issued: its prices must be right (SPEC §3.6)
        refresh_pricing(opp, by=by)
        require_issuable(opp, "generate")
    doc = copy_document(opp, model, by=by, extra={"opportunity": opp, **extra})
    link_events(opp, doc, by=by)
    touch(opp)  # a second click with the old version is refused: no second document
    return doc


@transaction.atomic
def opportunity_generate_quote(
    *, opportunity: Opportunity, by: Any, expected_version: int | None = None
) -> Quote:
    """GenerateQuoteFromOpportunity: a Draft quote with the opportunity's products."""
    return _generate(Quote, opportunity, by, expected_version)


@transaction.atomic
def opportunity_generate_order(
    *, opportunity: Opportunity, by: Any, expected_version: int | None = None
) -> SalesOrder:
    """GenerateSalesOrderFromOpportunity: an Active, unlocked order."""
    return _generate(SalesOrder, opportunity, by, expected_version, prices_locked=False)


@transaction.atomic
def opportunity_generate_invoice(
    *, opportunity: Opportunity, by: Any, expected_version: int | None = None
) -> Invoice:
    """GenerateInvoiceFromOpportunity: an Active, unlocked invoice."""
    return _generate(Invoice, opportunity, by, expected_version, prices_locked=False)
