"""Invoice actions: Invoice Paid, Cancel Invoice, status reason (SPEC §4)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, TimelineKind
from salesapp.sales.states import INVOICE, InvoiceState, InvoiceStatus

from .common import ensure_current_pricing, lock, record, today, touch


@transaction.atomic
def invoice_mark_paid(
    *,
    invoice: Invoice,
    by: Any,
    status: int = InvoiceStatus.COMPLETE,
    paid_on: datetime.date | None = None,
    amount: Decimal | None = None,
    expected_version: int | None = None,
) -> Invoice:
    """Invoice Paid: Complete (amount paid = total) or Partial (0 < amount < total)."""
    invoice = ensure_current_pricing(invoice, by=by)  # the total paid is the one the customer sees
    invoice = lock(invoice, expected_version=expected_version)
    invoice.lifecycle.require("pay", invoice.state)
    if status == InvoiceStatus.COMPLETE:
        amount = invoice.total_amount
    elif status == InvoiceStatus.PARTIAL:
        if amount is None:
            raise ValidationFailed("Enter the amount received.", field="amount")
        places = invoice.currency.precision
        if amount != amount.quantize(Decimal(1).scaleb(-places)):
            raise ValidationFailed(f"The amount received can have at most {places} decimals.", field="amount")
        if not Decimal(0) < amount < invoice.total_amount:
            raise ValidationFailed(
                f"A partial payment must be more than 0 and less than the total ({invoice.total_amount}).",
                field="amount",
            )
    else:
        raise ValidationFailed("A paid invoice is Complete or Partial.", field="status")
    if paid_on is not None and paid_on > today():
        raise ValidationFailed("The payment date can't be in the future.", field="paid_on")
    invoice.state, invoice.status = InvoiceState.PAID, status
    invoice.amount_paid = amount
    invoice.date_paid = paid_on or today()
    touch(invoice, "state", "status", "amount_paid", "date_paid")
    record(
        invoice,
        TimelineKind.PAID,
        f"Paid ({InvoiceStatus(status).label}): {amount}",
        by=by,
        amount=amount,
        paid_on=invoice.date_paid,
    )
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, by: Any, expected_version: int | None = None) -> Invoice:
    """Cancel Invoice: Active → Canceled. Invoices are never deleted; canceled ones keep their number."""
    invoice = lock(invoice, expected_version=expected_version)
    invoice.lifecycle.require("cancel", invoice.state)
    invoice.state, invoice.status = InvoiceState.CANCELED, InvoiceStatus.CANCELED
    touch(invoice, "state", "status")
    record(invoice, TimelineKind.CANCELED, "Canceled", by=by)
    return invoice


@transaction.atomic
def invoice_set_status(
    *, invoice: Invoice, by: Any, status: int, expected_version: int | None = None
) -> Invoice:
    """Change the status reason among the Active ones (New, Partially Shipped, Billed, Booked, Installed)."""
    invoice = lock(invoice, expected_version=expected_version)
    invoice.lifecycle.require("edit", invoice.state)
    if status not in INVOICE.reasons[InvoiceState.ACTIVE]:
        raise ValidationFailed("That status reason doesn't belong to an active invoice.", field="statuscode")
    if status != invoice.status:
        old = invoice.status_label
        invoice.status = status
        touch(invoice, "status")
        record(invoice, TimelineKind.STATE_CHANGED, f"Status reason {old} → {invoice.status_label}", by=by)
    return invoice
