from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("invoices/<uuid:invoice_id>/email/", views.send_email, name="send_email"),
    path("invoices/<uuid:invoice_id>/deliveries/", views.deliveries, name="deliveries"),
    path("invoices/<uuid:invoice_id>/pdf/", views.download_pdf, name="invoice_pdf"),
    path("invoices/<uuid:invoice_id>/print/", views.print_preview, name="invoice_print"),
    path("deliveries/<uuid:delivery_id>/retry/", views.retry, name="delivery_retry"),
]
