"""The documents that have a PDF and Send by Email, and where each one's rows point.

Quotes, order confirmations, invoices and credit notes (SPEC §8, §10). A kind is a row here, a foreign
key in models.DOCUMENT_FIELDS, a print template extending templates/pdf/base.html and its own parts
in rendering.KIND_PARTS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesapp.sales.models import CreditNote, Invoice, Quote, SalesOrder

from .models import DOCUMENT_FIELDS


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # the document's `kind`: "quote" | "salesorder" | "invoice" | "creditnote"
    model: type[Any]
    noun: str  # in sentences: "invoice", "credit note"
    title: str  # on the PDF: "Quote", "Order confirmation", "Invoice", "Credit note"
    template: str  # the print template under templates/pdf/
    url_prefix: str  # the URL names of its views: "invoice" → documents:invoice_pdf …

    @property
    def field(self) -> str:
        """Its foreign key on DocumentPdf and Delivery."""
        return DOCUMENT_FIELDS[self.kind]

    def rows_of(self, document: Any) -> dict[str, Any]:
        """The filter that finds a document's PDF or deliveries: {"invoice_id": pk}."""
        return {f"{self.field}_id": document.pk}


INVOICE = DocumentKind("invoice", Invoice, "invoice", "Invoice", "pdf/invoice.html", "invoice")
CREDIT_NOTE = DocumentKind(
    "creditnote", CreditNote, "credit note", "Credit note", "pdf/credit_note.html", "creditnote"
)
QUOTE = DocumentKind("quote", Quote, "quote", "Quote", "pdf/quote.html", "quote")
SALES_ORDER = DocumentKind(
    "salesorder", SalesOrder, "order", "Order confirmation", "pdf/order.html", "salesorder"
)
KINDS = {k.kind: k for k in (QUOTE, SALES_ORDER, INVOICE, CREDIT_NOTE)}


def kind_of(document: Any) -> DocumentKind:
    try:
        return KINDS[document.kind]
    except (AttributeError, KeyError):
        raise TypeError(f"{type(document).__name__} has no PDF or Send by Email") from None
