"""Read-mostly admin: documents change through the services (the screens and the API), so the
admin shows them but does not edit states, totals or numbers."""

from django.contrib import admin

from salesapp.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    CreditNote,
    CreditNoteDetail,
    Invoice,
    InvoiceDetail,
    Note,
    Opportunity,
    OpportunityProduct,
    Payment,
    Quote,
    QuoteDetail,
    SalesOrder,
    SalesOrderDetail,
    TimelineEvent,
)


class LineInline(ReadOnlyInline):
    fields = [
        "sequence",
        "product",
        "unit",
        "write_in_name",
        "price_per_unit",
        "quantity",
        "volume_discount",
        "manual_discount",
        "tax",
        "amount",
        "extended_amount",
        "pricing_error_code",
    ]
    readonly_fields = fields


class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "status", "total_amount", "created_on"]
    list_filter = ["state"]
    search_fields = ["name"]


for model, line in [
    (Opportunity, OpportunityProduct),
    (Quote, QuoteDetail),
    (SalesOrder, SalesOrderDetail),
    (Invoice, InvoiceDetail),
    (CreditNote, CreditNoteDetail),
]:
    inline = type(f"{line.__name__}Inline", (LineInline,), {"model": line})
    admin.site.register(model, type(f"{model.__name__}Admin", (DocumentAdmin,), {"inlines": [inline]}))


@admin.register(TimelineEvent)
class TimelineEventAdmin(DocumentAdmin):
    list_display = ["at", "document_type", "kind", "summary", "actor"]
    list_filter = ["document_type", "kind"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    """Notes are added and deleted on the record page (`services.note_add`, `note_delete`)."""

    list_display = ["at", "document_type", "title", "owner"]
    list_filter = ["document_type"]
    search_fields = ["title", "text"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are recorded through Invoice Paid / Add Payment (the balance and the state follow them)."""

    list_display = ["invoice", "paid_on", "amount", "method", "reference", "owner"]
    list_filter = ["method"]
    search_fields = ["invoice__invoice_number", "reference"]
