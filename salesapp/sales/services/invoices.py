"""Invoice actions: Cancel Invoice, status reason (SPEC §4). Payments: `payments`; credit notes:
`credit_notes`."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from salesapp.sales.models import Invoice, TimelineKind

from .common import base_places, lock, record, require, set_base_amounts, touch
from .documents import document_set_status


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, by: Any, expected_version: int | None = None) -> Invoice:
    """Cancel Invoice: Active → Canceled. Invoices are never deleted; canceled ones keep their number."""
    invoice = lock(invoice, expected_version=expected_version)
    require(invoice, "cancel")  # never sent, never credited: otherwise a credit note corrects it
    invoice.lifecycle.apply(invoice, "cancel")
    touch(invoice, "state", "status", *invoice.settle_balance(), *set_base_amounts(invoice, base_places()))
    record(invoice, TimelineKind.CANCELED, "Canceled", by=by)
    return invoice


def invoice_set_status(
    *, invoice: Invoice, by: Any, status: int, expected_version: int | None = None
) -> Invoice:
    """Change the status reason among the Active ones (New, Partially Shipped, Billed, Booked, Installed)."""
    return document_set_status(document=invoice, by=by, status=status, expected_version=expected_version)
