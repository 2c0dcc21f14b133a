"""Every write and transition of the sales domain. Views, the API, admin and tasks call these."""

from .common import ensure_current_pricing, reprice, require_issuable
from .credit_notes import credit_note_create
from .documents import document_create, document_set_status, document_update, get_products
from .invoices import invoice_cancel, invoice_set_status
from .lines import line_add, line_delete, line_update
from .locking import lock_pricing, use_current_pricing
from .notes import note_add, note_delete
from .opportunities import (
    opportunity_generate_invoice,
    opportunity_generate_order,
    opportunity_generate_quote,
    opportunity_lose,
    opportunity_reopen,
    opportunity_win,
)
from .orders import order_cancel, order_create_invoice, order_fulfill
from .ownership import (
    customer_assign,
    document_assign,
    document_delete,
    record_assign,
    record_label,
    records_assign,
)
from .payments import invoice_mark_paid, payment_record
from .quotes import (
    quote_activate,
    quote_close,
    quote_create_invoice,
    quote_create_order,
    quote_revise,
    quote_win,
)

__all__ = [
    "credit_note_create",
    "payment_record",
    "customer_assign",
    "document_assign",
    "document_create",
    "document_set_status",
    "document_delete",
    "document_update",
    "ensure_current_pricing",
    "get_products",
    "invoice_cancel",
    "invoice_mark_paid",
    "invoice_set_status",
    "line_add",
    "line_delete",
    "line_update",
    "lock_pricing",
    "opportunity_generate_invoice",
    "opportunity_generate_order",
    "opportunity_generate_quote",
    "opportunity_lose",
    "opportunity_reopen",
    "opportunity_win",
    "note_add",
    "note_delete",
    "order_cancel",
    "order_create_invoice",
    "order_fulfill",
    "quote_activate",
    "quote_close",
    "quote_create_invoice",
    "quote_create_order",
    "quote_revise",
    "quote_win",
    "record_assign",
    "record_label",
    "records_assign",
    "reprice",
    "require_issuable",
    "use_current_pricing",
]
