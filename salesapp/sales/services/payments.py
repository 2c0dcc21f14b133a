"""Payments against invoices: Invoice Paid and Add Payment (SPEC §4, §10).

Every payment, whatever the door (dialog, Web API PATCH or POST invoicepayments, admin, demo data),
goes through `_receive`, on an invoice row locked for the whole transaction: two payments that would
together overpay are serialized, and the second one sees the first one's balance and is refused.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesapp import pricing
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import Invoice, Payment, PaymentMethod, TimelineKind
from salesapp.sales.states import InvoiceState, InvoiceStatus
from salesapp.sales.timeline import money_of, payment_text

from .common import base_places, lock, record, refresh_pricing, require, require_issuable, today, touch

ZERO = Decimal("0")


@transaction.atomic
def invoice_mark_paid(
    *,
    invoice: Invoice,
    by: Any,
    status: int | None = None,
    paid_on: datetime.date | None = None,
    amount: Decimal | None = None,
    method: int | None = None,
    reference: str = "",
    expected_version: int | None = None,
) -> Invoice:
    """Invoice Paid on an Active invoice: Complete (the whole balance) or Partial (0 < amount < balance).

    A Complete payment is the balance due: an amount that differs is refused, not ignored.
    """
    invoice = _lock_for("pay", invoice, by=by, expected_version=expected_version)
    _, status = invoice.lifecycle.target_status("pay", status)
    balance = invoice.balance_due
    if status == InvoiceStatus.COMPLETE:
        if amount is not None and amount != balance:
            raise ValidationFailed(
                f"A Complete payment is the balance due ({money_of(invoice)(balance)}: the total less what was "
                "paid and credited); for less, record a Partial payment.",
                field="amount",
            )
        if balance <= 0:  # nothing to receive (an empty or fully credited invoice): just close it
            _settle(invoice, by=by, paid_on=_check_date(paid_on))
            return invoice
        amount = balance
    else:
        if amount is None:
            raise ValidationFailed("Enter the amount received.", field="amount")
        if amount >= balance:
            raise ValidationFailed(
                f"A partial payment is less than the balance due ({money_of(invoice)(balance)}); for all of it, "
                "choose Complete.",
                field="amount",
            )
    _receive(invoice, by=by, amount=amount, paid_on=paid_on, method=method, reference=reference)
    return invoice


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    by: Any,
    amount: Decimal | None,
    paid_on: datetime.date | None = None,
    method: int | None = None,
    reference: str = "",
    action: str | None = None,
    expected_version: int | None = None,
) -> Payment:
    """Record one payment: Invoice Paid on an Active invoice, Add Payment on a Paid · Partial one
    (`action` "pay" or "add_payment" insists on one; None: whichever the invoice's state calls for).

    The balance decides the status reason: Partial while something is left, Complete at 0.
    """
    invoice = _lock_for(action, invoice, by=by, expected_version=expected_version)
    if amount is None:
        raise ValidationFailed("Enter the amount received.", field="amount")
    return _receive(invoice, by=by, amount=amount, paid_on=paid_on, method=method, reference=reference)


def _lock_for(action: str | None, invoice: Invoice, *, by: Any, expected_version: int | None) -> Invoice:
    """Lock the invoice and check the action; None: whichever of Invoice Paid / Add Payment its
    state calls for (read under the lock, so a concurrent first payment is seen)."""
    invoice = lock(invoice, expected_version=expected_version)
    if action is None:
        action = "pay" if invoice.state == InvoiceState.ACTIVE else "add_payment"
    require(invoice, action)
    refresh_pricing(invoice, by=by)  # the balance paid against is the one the customer sees
    require_issuable(invoice, "pay")
    return invoice


def _receive(
    invoice: Invoice,
    *,
    by: Any,
    amount: Decimal,
    paid_on: datetime.date | None,
    method: int | None,
    reference: str,
) -> Payment:
    """On a locked invoice: check the payment, store it, and move the invoice to Partial or Complete."""
    paid_on = _check_date(paid_on)
    places = invoice.currency.precision
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationFailed("Enter the amount received as a number.", field="amount")
    if amount <= 0:
        raise ValidationFailed("The amount received must be more than 0.", field="amount")
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ValidationFailed(f"The amount received can have at most {places} decimals.", field="amount")
    if amount > invoice.balance_due:
        raise ValidationFailed(
            f"The amount received ({money_of(invoice)(amount)}) is more than the balance due "
            f"({money_of(invoice)(invoice.balance_due)}).",
            field="amount",
        )
    if method is None:
        method = PaymentMethod.BANK_TRANSFER
    if method not in PaymentMethod.values:
        names = ", ".join(f"{m.label} ({m.value})" for m in PaymentMethod)
        raise ValidationFailed(f"The payment method must be one of {names}.", field="method")
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise ValidationFailed("The reference can have at most 100 characters.", field="reference")
    payment = Payment.objects.create(
        invoice=invoice,
        owner=by if getattr(by, "pk", None) else None,
        amount=amount,
        amount_base=pricing.to_base(amount, invoice.exchange_rate, base_places()),
        paid_on=paid_on,
        method=method,
        reference=reference,
    )
    invoice.amount_paid += amount
    _settle(invoice, by=by, paid_on=paid_on)
    facts: dict[str, Any] = {
        "amount": amount,
        "method": method,
        "reference": reference,
        "balance_due": invoice.balance_due,
    }
    summary = payment_text(money_of(invoice), **facts)
    record(invoice, TimelineKind.PAYMENT, summary, by=by, payment_id=payment.pk, paid_on=paid_on, **facts)
    return payment


def settle(invoice: Invoice, *, on: datetime.date | None = None) -> list[str]:
    """On a locked invoice whose amount paid or credited changed: its balance, and its state by SPEC
    §10 (Paid · Partial while something is left after a payment, Paid · Complete at 0). The fields set."""
    fields = ["amount_paid", "amount_credited", *invoice.settle_balance()]
    if invoice.state != InvoiceState.CANCELED:
        if invoice.balance_due <= 0:
            invoice.state, invoice.status = InvoiceState.PAID, InvoiceStatus.COMPLETE
        elif invoice.amount_paid > 0:
            invoice.state, invoice.status = InvoiceState.PAID, InvoiceStatus.PARTIAL
        if invoice.state == InvoiceState.PAID:
            invoice.date_paid = on or invoice.date_paid or today()
        fields += ["state", "status", "date_paid"]
    for name in ("amount_paid", "balance_due"):
        setattr(
            invoice,
            f"{name}_base",
            pricing.to_base(getattr(invoice, name), invoice.exchange_rate, base_places()),
        )
        fields.append(f"{name}_base")
    return fields


def _settle(invoice: Invoice, *, by: Any, paid_on: datetime.date) -> None:
    was = (invoice.state, invoice.status)
    touch(invoice, *settle(invoice, on=paid_on))
    if was != (invoice.state, invoice.status):
        record(invoice, TimelineKind.PAID, f"Paid ({invoice.status_label})", by=by, paid_on=invoice.date_paid)


def _check_date(paid_on: datetime.date | None) -> datetime.date:
    if paid_on is not None and paid_on > today():
        raise ValidationFailed("The payment date can't be in the future.", field="paid_on")
    return paid_on or today()
