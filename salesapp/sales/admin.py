"""Read-mostly admin: documents change through the services (the screens and the API), so the
admin shows them but does not edit states, totals or numbers."""

from django.contrib import admin

from .models import (
    Invoice,
    InvoiceDetail,
    Opportunity,
    OpportunityProduct,
    Quote,
    QuoteDetail,
    SalesOrder,
    SalesOrderDetail,
    TimelineEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
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
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "status", "total_amount", "created_on"]
    list_filter = ["state"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model, line in [
    (Opportunity, OpportunityProduct),
    (Quote, QuoteDetail),
    (SalesOrder, SalesOrderDetail),
    (Invoice, InvoiceDetail),
]:
    inline = type(f"{line.__name__}Inline", (ReadOnlyInline,), {"model": line})
    admin.site.register(model, type(f"{model.__name__}Admin", (DocumentAdmin,), {"inlines": [inline]}))


@admin.register(TimelineEvent)
class TimelineEventAdmin(DocumentAdmin):
    list_display = ["at", "document_type", "kind", "summary", "actor"]
    list_filter = ["document_type", "kind"]
