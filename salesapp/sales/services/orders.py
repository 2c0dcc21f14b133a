"""Sales order actions: create invoice, fulfill, cancel (SPEC §4, §5)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from salesapp.sales.models import Invoice, OrderClose, SalesOrder, TimelineKind

from .common import lock, record, record_close, refresh_pricing, require, require_issuable, today, touch
from .documents import copy_document, link_events


@transaction.atomic
def order_create_invoice(*, order: SalesOrder, by: Any, expected_version: int | None = None) -> Invoice:
    """ConvertSalesOrderToInvoice: a locked invoice with the order's products; the order becomes Invoiced."""
    order = lock(order, expected_version=expected_version)
    require(order, "invoice")
    refresh_pricing(order, by=by)  # a stale price is never frozen into the locked invoice
    require_issuable(order, "invoice")
    invoice = copy_document(
        order,
        Invoice,
        by=by,
        extra={
            "sales_order": order,
            "quote": order.quote,
            "opportunity": order.opportunity,
            "prices_locked": True,
        },
    )
    order.lifecycle.apply(order, "invoice")
    touch(order, "state", "status")
    link_events(order, invoice, by=by)
    return invoice


def _close_activity(
    order: SalesOrder, by: Any, *, subject: str, description: str, actual_end: datetime.date | None
) -> None:
    record_close(
        OrderClose,
        order,
        by=by,
        subject=subject,
        sales_order=order,
        description=description,
        actual_end=actual_end,
    )


@transaction.atomic
def order_fulfill(
    *,
    order: SalesOrder,
    by: Any,
    status: int | None = None,
    date_fulfilled: datetime.date | None = None,
    subject: str = "",
    description: str = "",
    expected_version: int | None = None,
) -> SalesOrder:
    """FulfillSalesOrder: → Fulfilled (Complete or Partial), with its close activity."""
    order = lock(order, expected_version=expected_version)
    order.lifecycle.apply(order, "fulfill", status)
    order.date_fulfilled = date_fulfilled or today()
    touch(order, "state", "status", "date_fulfilled")
    _close_activity(order, by, subject=subject, description=description, actual_end=order.date_fulfilled)
    record(order, TimelineKind.STATE_CHANGED, f"Fulfilled ({order.status_label})", by=by)
    return order


@transaction.atomic
def order_cancel(
    *,
    order: SalesOrder,
    by: Any,
    canceled_on: datetime.date | None = None,
    reason: str = "",
    subject: str = "",
    expected_version: int | None = None,
) -> SalesOrder:
    """CancelSalesOrder: → Canceled, with its close activity (the reason is its description)."""
    order = lock(order, expected_version=expected_version)
    order.lifecycle.apply(order, "cancel")
    order.canceled_on = canceled_on or today()
    order.cancel_reason = reason
    touch(order, "state", "status", "canceled_on", "cancel_reason")
    _close_activity(order, by, subject=subject, description=reason, actual_end=order.canceled_on)
    record(order, TimelineKind.CANCELED, "Canceled" + (f": {reason}" if reason else ""), by=by)
    return order
