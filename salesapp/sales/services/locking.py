"""Lock Pricing / Use Current Pricing on orders and invoices (SPEC §6)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from salesapp.sales.models import Invoice, SalesOrder, TimelineKind

from .common import D, lock, record, reprice, require, touch


@transaction.atomic
def lock_pricing(*, document: D, by: Any, expected_version: int | None = None) -> D:
    """Lock Pricing: from now on no line's price per unit changes, whatever the price list does."""
    assert isinstance(document, SalesOrder | Invoice)
    doc = lock(document, expected_version=expected_version)
    require(doc, "lock")
    if doc.prices_locked:
        return doc
    doc.prices_locked = True
    touch(doc, "prices_locked")
    record(doc, TimelineKind.PRICE_LOCKED, "Pricing locked", by=by)
    return doc


@transaction.atomic
def use_current_pricing(*, document: D, by: Any, expected_version: int | None = None) -> D:
    """Use Current Pricing: unlock and reprice every default-priced catalog line right away.

    Overridden and write-in lines never change.
    """
    assert isinstance(document, SalesOrder | Invoice)
    doc = lock(document, expected_version=expected_version)
    require(doc, "unlock")
    doc.prices_locked = False
    touch(doc, "prices_locked")
    record(doc, TimelineKind.PRICE_UNLOCKED, "Using current pricing", by=by)
    return reprice(doc, by=by, reason="Use Current Pricing")
