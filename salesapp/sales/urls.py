"""The document screens. Every URL name is spelled out here, so `grep invoice_detail` lands on it.

Each pattern hands its view the Kind it serves (and a command its name) as extra kwargs; the views
build these names back through Kind.url_name, and a NoReverseMatch in the tests says they drifted.
"""

from django.urls import path

from .views.assign import bulk_assign_views as ASSIGN
from .views.credit_notes import credit_note_list
from .views.dashboard import home
from .views.documents import (
    document_command,
    document_create,
    document_detail,
    document_list,
    line_add,
    line_delete,
    line_edit,
    manager_command,
)
from .views.kinds import CREDIT_NOTE, INVOICE, OPPORTUNITY, ORDER, QUOTE
from .views.lookup import product_lookup
from .views.notes import note_add, note_delete

# A table, one URL a row: keep ruff from folding the long rows into five lines each.
# fmt: off
urlpatterns = [
    path("", home, name="home"),
    path("lines/product-lookup/", product_lookup, name="product_lookup"),
    path("notes/<uuid:note_pk>/delete/", note_delete, name="note_delete"),
    # opportunities
    path("opportunities/", document_list, {"kind": OPPORTUNITY}, name="opportunity_list"),
    path("opportunities/new/", document_create, {"kind": OPPORTUNITY}, name="opportunity_create"),
    path("opportunities/<uuid:pk>/", document_detail, {"kind": OPPORTUNITY}, name="opportunity_detail"),
    path("opportunities/<uuid:pk>/notes/add/", note_add, {"kind": OPPORTUNITY}, name="opportunity_note_add"),
    path("opportunities/<uuid:pk>/lines/add/", line_add, {"kind": OPPORTUNITY}, name="opportunity_line_add"),
    path("opportunities/<uuid:pk>/lines/<uuid:line_pk>/", line_edit, {"kind": OPPORTUNITY}, name="opportunity_line_edit"),
    path("opportunities/<uuid:pk>/lines/<uuid:line_pk>/delete/", line_delete, {"kind": OPPORTUNITY}, name="opportunity_line_delete"),
    path("opportunities/<uuid:pk>/create-quote/", document_command, {"kind": OPPORTUNITY, "command": "create-quote"}, name="opportunity_create_quote"),
    path("opportunities/<uuid:pk>/create-order/", document_command, {"kind": OPPORTUNITY, "command": "create-order"}, name="opportunity_create_order"),
    path("opportunities/<uuid:pk>/create-invoice/", document_command, {"kind": OPPORTUNITY, "command": "create-invoice"}, name="opportunity_create_invoice"),
    path("opportunities/<uuid:pk>/close-as-won/", document_command, {"kind": OPPORTUNITY, "command": "close-as-won"}, name="opportunity_close_as_won"),
    path("opportunities/<uuid:pk>/close-as-lost/", document_command, {"kind": OPPORTUNITY, "command": "close-as-lost"}, name="opportunity_close_as_lost"),
    path("opportunities/<uuid:pk>/reopen/", document_command, {"kind": OPPORTUNITY, "command": "reopen"}, name="opportunity_reopen"),
    path("opportunities/<uuid:pk>/status/", document_command, {"kind": OPPORTUNITY, "command": "status"}, name="opportunity_status"),
    path("opportunities/<uuid:pk>/assign/", document_command, {"kind": OPPORTUNITY, "command": "assign"}, name="opportunity_assign"),
    path("opportunities/<uuid:pk>/delete/", document_command, {"kind": OPPORTUNITY, "command": "delete"}, name="opportunity_delete"),
    # quotes
    path("quotes/", document_list, {"kind": QUOTE}, name="quote_list"),
    path("quotes/new/", document_create, {"kind": QUOTE}, name="quote_create"),
    path("quotes/<uuid:pk>/", document_detail, {"kind": QUOTE}, name="quote_detail"),
    path("quotes/<uuid:pk>/notes/add/", note_add, {"kind": QUOTE}, name="quote_note_add"),
    path("quotes/<uuid:pk>/lines/add/", line_add, {"kind": QUOTE}, name="quote_line_add"),
    path("quotes/<uuid:pk>/lines/<uuid:line_pk>/", line_edit, {"kind": QUOTE}, name="quote_line_edit"),
    path("quotes/<uuid:pk>/lines/<uuid:line_pk>/delete/", line_delete, {"kind": QUOTE}, name="quote_line_delete"),
    path("quotes/<uuid:pk>/activate/", document_command, {"kind": QUOTE, "command": "activate"}, name="quote_activate"),
    path("quotes/<uuid:pk>/get-products/", document_command, {"kind": QUOTE, "command": "get-products"}, name="quote_get_products"),
    path("quotes/<uuid:pk>/revise/", document_command, {"kind": QUOTE, "command": "revise"}, name="quote_revise"),
    path("quotes/<uuid:pk>/create-order/", document_command, {"kind": QUOTE, "command": "create-order"}, name="quote_create_order"),
    path("quotes/<uuid:pk>/create-invoice/", document_command, {"kind": QUOTE, "command": "create-invoice"}, name="quote_create_invoice"),
    path("quotes/<uuid:pk>/close/", document_command, {"kind": QUOTE, "command": "close"}, name="quote_close"),
    path("quotes/<uuid:pk>/assign/", document_command, {"kind": QUOTE, "command": "assign"}, name="quote_assign"),
    path("quotes/<uuid:pk>/delete/", document_command, {"kind": QUOTE, "command": "delete"}, name="quote_delete"),
    # orders
    path("orders/", document_list, {"kind": ORDER}, name="order_list"),
    path("orders/new/", document_create, {"kind": ORDER}, name="order_create"),
    path("orders/<uuid:pk>/", document_detail, {"kind": ORDER}, name="order_detail"),
    path("orders/<uuid:pk>/notes/add/", note_add, {"kind": ORDER}, name="order_note_add"),
    path("orders/<uuid:pk>/lines/add/", line_add, {"kind": ORDER}, name="order_line_add"),
    path("orders/<uuid:pk>/lines/<uuid:line_pk>/", line_edit, {"kind": ORDER}, name="order_line_edit"),
    path("orders/<uuid:pk>/lines/<uuid:line_pk>/delete/", line_delete, {"kind": ORDER}, name="order_line_delete"),
    path("orders/<uuid:pk>/create-invoice/", document_command, {"kind": ORDER, "command": "create-invoice"}, name="order_create_invoice"),
    path("orders/<uuid:pk>/get-products/", document_command, {"kind": ORDER, "command": "get-products"}, name="order_get_products"),
    path("orders/<uuid:pk>/lock-pricing/", document_command, {"kind": ORDER, "command": "lock-pricing"}, name="order_lock_pricing"),
    path("orders/<uuid:pk>/use-current-pricing/", document_command, {"kind": ORDER, "command": "use-current-pricing"}, name="order_use_current_pricing"),
    path("orders/<uuid:pk>/fulfill/", document_command, {"kind": ORDER, "command": "fulfill"}, name="order_fulfill"),
    path("orders/<uuid:pk>/cancel/", manager_command, {"kind": ORDER, "command": "cancel"}, name="order_cancel"),
    path("orders/<uuid:pk>/status/", document_command, {"kind": ORDER, "command": "status"}, name="order_status"),
    path("orders/<uuid:pk>/assign/", document_command, {"kind": ORDER, "command": "assign"}, name="order_assign"),
    path("orders/<uuid:pk>/delete/", document_command, {"kind": ORDER, "command": "delete"}, name="order_delete"),
    # invoices
    path("invoices/", document_list, {"kind": INVOICE}, name="invoice_list"),
    path("invoices/new/", document_create, {"kind": INVOICE}, name="invoice_create"),
    path("invoices/<uuid:pk>/", document_detail, {"kind": INVOICE}, name="invoice_detail"),
    path("invoices/<uuid:pk>/notes/add/", note_add, {"kind": INVOICE}, name="invoice_note_add"),
    path("invoices/<uuid:pk>/lines/add/", line_add, {"kind": INVOICE}, name="invoice_line_add"),
    path("invoices/<uuid:pk>/lines/<uuid:line_pk>/", line_edit, {"kind": INVOICE}, name="invoice_line_edit"),
    path("invoices/<uuid:pk>/lines/<uuid:line_pk>/delete/", line_delete, {"kind": INVOICE}, name="invoice_line_delete"),
    path("invoices/<uuid:pk>/get-products/", document_command, {"kind": INVOICE, "command": "get-products"}, name="invoice_get_products"),
    path("invoices/<uuid:pk>/lock-pricing/", document_command, {"kind": INVOICE, "command": "lock-pricing"}, name="invoice_lock_pricing"),
    path("invoices/<uuid:pk>/use-current-pricing/", document_command, {"kind": INVOICE, "command": "use-current-pricing"}, name="invoice_use_current_pricing"),
    path("invoices/<uuid:pk>/paid/", manager_command, {"kind": INVOICE, "command": "paid"}, name="invoice_paid"),
    path("invoices/<uuid:pk>/add-payment/", manager_command, {"kind": INVOICE, "command": "add-payment"}, name="invoice_add_payment"),
    path("invoices/<uuid:pk>/credit/", manager_command, {"kind": INVOICE, "command": "credit"}, name="invoice_credit"),
    path("invoices/<uuid:pk>/cancel/", manager_command, {"kind": INVOICE, "command": "cancel"}, name="invoice_cancel"),
    path("invoices/<uuid:pk>/status/", document_command, {"kind": INVOICE, "command": "status"}, name="invoice_status"),
    path("invoices/<uuid:pk>/assign/", document_command, {"kind": INVOICE, "command": "assign"}, name="invoice_assign"),
    # credit notes: made by Create Credit Note on an invoice, never edited
    path("creditnotes/", credit_note_list, {"kind": CREDIT_NOTE}, name="creditnote_list"),
    path("creditnotes/<uuid:pk>/", document_detail, {"kind": CREDIT_NOTE}, name="creditnote_detail"),
    path("creditnotes/<uuid:pk>/notes/add/", note_add, {"kind": CREDIT_NOTE}, name="creditnote_note_add"),
    path("creditnotes/<uuid:pk>/assign/", document_command, {"kind": CREDIT_NOTE, "command": "assign"}, name="creditnote_assign"),
    # bulk Assign of the rows ticked in a list
    path("opportunities/assign/", ASSIGN["opportunity"], name="opportunity_bulk_assign"),
    path("quotes/assign/", ASSIGN["quote"], name="quote_bulk_assign"),
    path("orders/assign/", ASSIGN["order"], name="order_bulk_assign"),
    path("invoices/assign/", ASSIGN["invoice"], name="invoice_bulk_assign"),
    path("accounts/assign/", ASSIGN["account"], name="account_bulk_assign"),
    path("contacts/assign/", ASSIGN["contact"], name="contact_bulk_assign"),
]
# fmt: on
