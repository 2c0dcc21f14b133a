"""Sales order actions: create invoice, fulfill, cancel (SPEC §4, §5)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, SalesOrder, TimelineKind
from salesapp.sales.states import OrderState, OrderStatus

from .common import lock, record, today, touch
from .documents import copy_document, link_events


@transaction.atomic
def order_create_invoice(*, order: SalesOrder, by: Any, expected_version: int | None = None) -> Invoice:
    """ConvertSalesOrderToInvoice: a locked invoice with the order's products; the order becomes Invoiced."""
    order = lock(order, expected_version=expected_version)
    order.lifecycle.require("invoice", order.state)
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
    order.state, order.status = OrderState.INVOICED, OrderStatus.INVOICED
    touch(order, "state", "status")
    link_events(order, invoice, by=by)
    return invoice


@transaction.atomic
def order_fulfill(
    *,
    order: SalesOrder,
    by: Any,
    status: int = OrderStatus.COMPLETE,
    date_fulfilled: datetime.date | None = None,
    expected_version: int | None = None,
) -> SalesOrder:
    order = lock(order, expected_version=expected_version)
    order.lifecycle.require("fulfill", order.state)
    if status not in (OrderStatus.COMPLETE, OrderStatus.PARTIAL):
        raise ValidationFailed("A fulfilled order is Complete or Partial.", field="status")
    order.state, order.status = OrderState.FULFILLED, status
    order.date_fulfilled = date_fulfilled or today()
    touch(order, "state", "status", "date_fulfilled")
    record(order, TimelineKind.STATE_CHANGED, f"Fulfilled ({OrderStatus(status).label})", by=by)
    return order


@transaction.atomic
def order_cancel(
    *,
    order: SalesOrder,
    by: Any,
    canceled_on: datetime.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> SalesOrder:
    order = lock(order, expected_version=expected_version)
    order.lifecycle.require("cancel", order.state)
    order.state, order.status = OrderState.CANCELED, OrderStatus.NO_MONEY
    order.canceled_on = canceled_on or today()
    order.cancel_reason = reason
    touch(order, "state", "status", "canceled_on", "cancel_reason")
    record(order, TimelineKind.CANCELED, "Canceled" + (f": {reason}" if reason else ""), by=by)
    return order
