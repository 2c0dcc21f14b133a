"""Create Credit Note (ours, SPEC §10): credit all or some of an invoice's lines.

One transaction on the invoice's locked row: the quantities already credited per invoice line and
the amount already credited are read under that lock, so two credit notes made at the same moment
can't together credit more than was invoiced — the second one sees the first and is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import transaction
from django.db.models import Sum

from salesapp import pricing
from salesapp.core import formatting as fmt
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import CreditNote, CreditNoteDetail, Invoice, InvoiceDetail, TimelineKind
from salesapp.sales.timeline import credited_text, money_of

from .common import (
    PricingContext,
    lines_of,
    lock,
    record,
    refresh_pricing,
    require,
    require_issuable,
    save_totals,
    today,
    touch,
)
from .documents import COPIED_HEADER, COPIED_SALES, new_document
from .payments import settle

ZERO = Decimal("0")


@transaction.atomic
def credit_note_create(
    *,
    invoice: Invoice,
    by: Any,
    lines: Sequence[dict[str, Any]] | None = None,
    reason: str = "",
    credit_date: datetime.date | None = None,
    expected_version: int | None = None,
) -> CreditNote:
    """Credit `lines` (`[{"invoice_detail": <id or line>, "quantity": <Decimal>}]`; None: everything
    not credited yet) of an Active or Paid invoice, and deduct the credit note from its balance due.

    Each line keeps the invoice line's price, volume discount and tax rate; its manual discount and
    typed tax shrink with the quantity. Crediting everything that is left also credits what is left
    of the header discount and the freight, so a full credit note is exactly the invoice's total.
    """
    invoice = lock(invoice, expected_version=expected_version)
    require(invoice, "credit")
    refresh_pricing(invoice, by=by)
    require_issuable(invoice, "credit")
    if credit_date is not None and credit_date > today():
        raise ValidationFailed("The credit note date can't be in the future.", field="credit_date")
    invoice_lines = cast(list[InvoiceDetail], lines_of(invoice))
    credited = _credited(invoice)
    remaining = {x.pk: x.quantity - credited.get(x.pk, {}).get("quantity", ZERO) for x in invoice_lines}
    chosen = (
        [(x, remaining[x.pk]) for x in invoice_lines if remaining[x.pk] > 0]
        if lines is None
        else _chosen(invoice_lines, remaining, lines)
    )
    if not chosen:
        raise ValidationFailed("Nothing is left to credit on this invoice.", field="lines")
    everything_left = all(qty == remaining[x.pk] for x, qty in chosen) and len(chosen) == sum(
        1 for v in remaining.values() if v > 0
    )
    header = _header(invoice, chosen, everything_left)
    fields = {name: getattr(invoice, name) for name in (*COPIED_HEADER, *COPIED_SALES)}
    fields.pop("customer_account")
    fields.pop("customer_contact")
    fields.update(header)
    fields.update(
        invoice=invoice,
        opportunity=invoice.opportunity,
        credit_date=credit_date or today(),
        reason=(reason or "").strip(),
        name=f"Credit note for {invoice.invoice_number}",
    )
    note = new_document(CreditNote, by=by, customer=invoice.customer, fields=fields)
    ctx = PricingContext.for_document(note)
    note_lines = [
        _credit_line(
            note,
            line,
            qty,
            ctx,
            sequence=sequence,
            remaining=remaining[line.pk],
            before=credited.get(line.pk),
        )
        for sequence, (line, qty) in enumerate(chosen, 1)
    ]
    CreditNoteDetail.objects.bulk_create(note_lines)
    save_totals(note, note_lines, ctx)
    if note.total_amount > invoice.creditable_amount:
        raise ValidationFailed(
            f"This credit note ({money_of(invoice)(note.total_amount)}) would credit more than is left to credit "
            f"on {invoice.invoice_number} ({money_of(invoice)(invoice.creditable_amount)}).",
            field="lines",
        )
    invoice.amount_credited += note.total_amount
    was = (invoice.state, invoice.status)
    touch(invoice, *settle(invoice))
    facts: dict[str, Any] = {
        "number": note.credit_note_number,
        "amount": note.total_amount,
        "balance_due": invoice.balance_due,
    }
    summary = credited_text(money_of(invoice), **facts)
    record(invoice, TimelineKind.CREDITED, summary, by=by, credit_note_id=note.pk, **facts)
    if was != (invoice.state, invoice.status):
        record(invoice, TimelineKind.PAID, f"Paid ({invoice.status_label})", by=by, paid_on=invoice.date_paid)
    record(
        note,
        TimelineKind.CREATED,
        f"Credit note created from invoice {invoice.display_name}"
        + (f": {note.reason}" if note.reason else ""),
        by=by,
        invoice_id=invoice.pk,
    )
    return note


def _credited(invoice: Invoice) -> dict[Any, dict[str, Decimal]]:
    """Per invoice line: the quantity, manual discount and tax credited so far."""
    rows = (
        CreditNoteDetail.objects.filter(invoice_detail__invoice=invoice)
        .values("invoice_detail_id")
        .annotate(quantity=Sum("quantity"), manual_discount=Sum("manual_discount"), tax=Sum("tax"))
    )
    return {
        row["invoice_detail_id"]: {
            "quantity": row["quantity"],
            "manual_discount": row["manual_discount"],
            "tax": row["tax"],
        }
        for row in rows
    }


def _chosen(
    invoice_lines: list[InvoiceDetail], remaining: dict[Any, Decimal], lines: Sequence[dict[str, Any]]
) -> list[tuple[InvoiceDetail, Decimal]]:
    by_id = {str(x.pk): x for x in invoice_lines}
    seen: set[str] = set()
    out: list[tuple[InvoiceDetail, Decimal]] = []
    for index, item in enumerate(lines):
        raw = item.get("invoice_detail")
        key = str(getattr(raw, "pk", raw))
        line = by_id.get(key)
        if line is None:
            raise ValidationFailed(
                f"Line {index + 1}: {key} is not a line of this invoice.",
                field=f"lines[{index}].invoicedetailid",
            )
        if key in seen:
            raise ValidationFailed(
                f"Line {index + 1}: {line.product_name} is listed twice.",
                field=f"lines[{index}].invoicedetailid",
            )
        seen.add(key)
        quantity = item.get("quantity")
        if quantity is None:
            quantity = remaining[line.pk]
        try:
            quantity = Decimal(str(quantity))
        except (InvalidOperation, ValueError):
            raise ValidationFailed(
                f"Line {index + 1}: the quantity must be a number.", field=f"lines[{index}].quantity"
            ) from None
        if not quantity.is_finite() or quantity <= 0:
            raise ValidationFailed(
                f"Line {index + 1}: the quantity to credit must be more than 0.",
                field=f"lines[{index}].quantity",
            )
        if quantity > remaining[line.pk]:
            raise ValidationFailed(
                f"Line {index + 1}: {line.product_name} can be credited for at most "
                f"{fmt.quantity(remaining[line.pk])} more (invoiced {fmt.quantity(line.quantity)}).",
                field=f"lines[{index}].quantity",
            )
        decimals = line.product.quantity_decimals if line.product is not None else 5
        if quantity != quantity.quantize(Decimal(1).scaleb(-decimals)):
            raise ValidationFailed(
                f"Line {index + 1}: {line.product_name} takes at most {decimals} decimals in its quantity.",
                field=f"lines[{index}].quantity",
            )
        out.append((line, quantity))
    return out


def _header(
    invoice: Invoice, chosen: list[tuple[InvoiceDetail, Decimal]], everything_left: bool
) -> dict[str, Any]:
    """The credit note's header discount and freight: what is left of the invoice's when it credits
    everything left; otherwise the header discount in proportion to the lines' amounts, no freight."""
    places = invoice.currency.precision
    previous = CreditNote.objects.filter(invoice=invoice).aggregate(
        discount=Sum("discount_amount"), freight=Sum("freight_amount")
    )
    discount_left = invoice.discount_amount - (previous["discount"] or ZERO)
    freight_left = invoice.freight_amount - (previous["freight"] or ZERO)
    if everything_left:
        return {"discount_amount": max(discount_left, ZERO), "freight_amount": max(freight_left, ZERO)}
    share = ZERO
    if invoice.total_line_item_amount:
        credited = sum((x.amount * qty / x.quantity for x, qty in chosen), ZERO)
        share = min(credited / invoice.total_line_item_amount, Decimal(1))
    discount = pricing.round_half_up(invoice.discount_amount * share, places)
    return {"discount_amount": min(discount, max(discount_left, ZERO)), "freight_amount": ZERO}


def _credit_line(
    note: CreditNote,
    line: InvoiceDetail,
    quantity: Decimal,
    ctx: PricingContext,
    *,
    sequence: int,
    remaining: Decimal,
    before: dict[str, Decimal] | None,
) -> CreditNoteDetail:
    """The credit of `quantity` of an invoice line. Crediting the rest of a line credits the rest of
    its discount and tax exactly (no rounding left over); part of it, a rounded share."""
    places = ctx.money_places

    def part(name: str) -> Decimal:
        value: Decimal = getattr(line, name)
        if quantity == remaining:
            return value - (before or {}).get(name, ZERO)
        return pricing.round_half_up(value * quantity / line.quantity, places)

    per_unit = ctx.method == pricing.DiscountMethod.PER_UNIT
    return CreditNoteDetail(
        credit_note=note,
        invoice_detail=line,
        sequence=sequence,
        product_id=line.product_id,
        unit_id=line.unit_id,
        write_in_name=line.write_in_name,
        is_price_overridden=line.is_price_overridden,
        price_per_unit=line.price_per_unit,
        quantity=quantity,
        volume_discount=line.volume_discount,
        manual_discount=line.manual_discount if per_unit else part("manual_discount"),
        tax=line.tax if line.tax_rate is not None else part("tax"),
        tax_rate=line.tax_rate,
        vat_category=line.vat_category,
        vat_exemption_reason=line.vat_exemption_reason,
        description=line.description,
    )
