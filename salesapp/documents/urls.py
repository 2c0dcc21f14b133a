from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("invoices/<uuid:invoice_id>/email/", views.send_email, name="send_email"),
    path("invoices/<uuid:invoice_id>/deliveries/", views.deliveries, name="deliveries"),
    path("invoices/<uuid:invoice_id>/pdf/", views.download_pdf, name="invoice_pdf"),
    path("invoices/<uuid:invoice_id>/print/", views.print_preview, name="invoice_print"),
    path("invoices/<uuid:invoice_id>/remind/", views.remind, name="invoice_remind"),
    path(
        "creditnotes/<uuid:credit_note_id>/email/", views.creditnote_send_email, name="creditnote_send_email"
    ),
    path(
        "creditnotes/<uuid:credit_note_id>/deliveries/",
        views.creditnote_deliveries,
        name="creditnote_deliveries",
    ),
    path("creditnotes/<uuid:credit_note_id>/pdf/", views.creditnote_pdf, name="creditnote_pdf"),
    path("creditnotes/<uuid:credit_note_id>/print/", views.creditnote_print, name="creditnote_print"),
    path("quotes/<uuid:quote_id>/email/", views.quote_send_email, name="quote_send_email"),
    path("quotes/<uuid:quote_id>/deliveries/", views.quote_deliveries, name="quote_deliveries"),
    path("quotes/<uuid:quote_id>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<uuid:quote_id>/print/", views.quote_print, name="quote_print"),
    path("orders/<uuid:order_id>/email/", views.salesorder_send_email, name="salesorder_send_email"),
    path("orders/<uuid:order_id>/deliveries/", views.salesorder_deliveries, name="salesorder_deliveries"),
    path("orders/<uuid:order_id>/pdf/", views.salesorder_pdf, name="salesorder_pdf"),
    path("orders/<uuid:order_id>/print/", views.salesorder_print, name="salesorder_print"),
    path("deliveries/<uuid:delivery_id>/retry/", views.retry, name="delivery_retry"),
    path("invoices/email/", views.invoice_bulk_email, name="invoice_bulk_email"),
    path("creditnotes/email/", views.creditnote_bulk_email, name="creditnote_bulk_email"),
    path("batches/<uuid:batch_id>/", views.batch, name="batch"),
]
