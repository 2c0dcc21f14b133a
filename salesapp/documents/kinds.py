"""The documents that have a PDF and Send by Email, and where each one's rows point.

Invoices and credit notes today (SPEC §8, §10); quotes and orders join by adding a row here, a
foreign key in models.DOCUMENT_FIELDS and a print template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesapp.sales.models import CreditNote, Invoice

from .models import DOCUMENT_FIELDS


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # the document's `kind`: "invoice" | "creditnote"
    model: type[Any]
    noun: str  # in sentences: "invoice", "credit note"
    title: str  # on the PDF: "Invoice", "Credit note"
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
KINDS = {k.kind: k for k in (INVOICE, CREDIT_NOTE)}


def kind_of(document: Any) -> DocumentKind:
    try:
        return KINDS[document.kind]
    except (AttributeError, KeyError):
        raise TypeError(f"{type(document).__name__} has no PDF or Send by Email") from None
