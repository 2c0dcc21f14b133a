"""Invoice actions: Invoice Paid, Cancel Invoice, status reason (SPEC §4)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesapp.core import formatting as fmt
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, TimelineKind
from salesapp.sales.states import InvoiceStatus

from .common import lock, record, refresh_pricing, require_issuable, today, touch
from .documents import document_set_status


@transaction.atomic
def invoice_mark_paid(
    *,
    invoice: Invoice,
    by: Any,
    status: int | None = None,
    paid_on: datetime.date | None = None,
    amount: Decimal | None = None,
    expected_version: int | None = None,
) -> Invoice:
    """Invoice Paid: Complete (amount paid = total) or Partial (0 < amount < total).

    A Complete payment is the total: an amount that differs is refused, not ignored.
    """
    invoice = lock(invoice, expected_version=expected_version)
    invoice.lifecycle.require("pay", invoice.state)
    refresh_pricing(invoice, by=by)  # the total paid is the one the customer sees
    require_issuable(invoice, "pay")
    state, status = invoice.lifecycle.target_status("pay", status)
    if status == InvoiceStatus.COMPLETE:
        if amount is not None and amount != invoice.total_amount:
            raise ValidationFailed(
                f"A Complete payment is the invoice's total ({invoice.total_amount}); for less, record a "
                "Partial payment.",
                field="amount",
            )
        amount = invoice.total_amount
    else:
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
    if paid_on is not None and paid_on > today():
        raise ValidationFailed("The payment date can't be in the future.", field="paid_on")
    invoice.state, invoice.status = state, status
    invoice.amount_paid = amount
    invoice.date_paid = paid_on or today()
    touch(invoice, "state", "status", "amount_paid", "date_paid")
    record(
        invoice,
        TimelineKind.PAID,
        f"Paid ({invoice.status_label}): {fmt.amount(amount, invoice.currency.precision)}",
        by=by,
        amount=amount,
        paid_on=invoice.date_paid,
    )
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, by: Any, expected_version: int | None = None) -> Invoice:
    """Cancel Invoice: Active → Canceled. Invoices are never deleted; canceled ones keep their number."""
    invoice = lock(invoice, expected_version=expected_version)
    invoice.lifecycle.apply(invoice, "cancel")
    touch(invoice, "state", "status")
    record(invoice, TimelineKind.CANCELED, "Canceled", by=by)
    return invoice


def invoice_set_status(
    *, invoice: Invoice, by: Any, status: int, expected_version: int | None = None
) -> Invoice:
    """Change the status reason among the Active ones (New, Partially Shipped, Billed, Booked, Installed)."""
    return document_set_status(document=invoice, by=by, status=status, expected_version=expected_version)
