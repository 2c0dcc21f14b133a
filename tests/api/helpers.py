"""Building many invoices fast: one through the services, the rest copied from it in bulk."""

import copy
import uuid
from decimal import Decimal

from salesapp.sales import services
from salesapp.sales.models import Invoice, InvoiceDetail


def invoice_with_lines(*, by, customer, product, lines: int) -> Invoice:
    invoice = services.document_create(Invoice, by=by, customer=customer, name="Template invoice")
    for n in range(lines):
        services.line_add(document=invoice, by=by, product=product, quantity=Decimal(n + 1))
    invoice.refresh_from_db()
    return invoice


def clone_invoices(template: Invoice, count: int, *, start: int = 0) -> None:
    """`count` copies of a service-built invoice (same totals and lines), numbered after it."""
    lines = list(template.lines.all())
    invoices, details = [], []
    for n in range(count):
        clone = copy.copy(template)
        clone.pk = uuid.uuid4()
        clone.invoice_number = f"BULK-{start + n:07d}"
        clone._state = copy.copy(template._state)
        clone._state.adding = True
        invoices.append(clone)
        for line in lines:
            copied = copy.copy(line)
            copied.pk = uuid.uuid4()
            copied.invoice_id = clone.pk
            copied._state = copy.copy(line._state)
            copied._state.adding = True
            details.append(copied)
    Invoice.objects.bulk_create(invoices, batch_size=500)
    InvoiceDetail.objects.bulk_create(details, batch_size=1000)
