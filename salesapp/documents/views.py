"""Send by Email, deliveries (htmx polling), Retry, Download PDF, print preview (SPEC §8).

Thin views: parse, check the role on the server, call one service, render a partial for htmx or a
full page (extending base.html) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesapp.accounts.roles import is_salesperson
from salesapp.core.exceptions import DomainError
from salesapp.core.views.records import create_once
from salesapp.sales.models import Invoice
from salesapp.sales.services import ensure_current_pricing

from . import services
from .forms import SendEmailForm
from .models import Delivery
from .rendering import invoice_html
from .selectors import any_in_flight, invoice_deliveries

DIALOG = "documents/_send_email_form.html"
DELIVERIES = "documents/_deliveries.html"


def salesperson_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """SPEC §9: sending and downloading belong to salespeople and managers, checked on the server."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_salesperson(request.user):
            raise PermissionDenied("You need the Salesperson or Sales manager role.")
        return view(request, *args, **kwargs)

    return wrapped


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _invoice(invoice_id: Any) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related(
            "currency", "customer_account", "customer_contact", "customer_account__primary_contact"
        ),
        pk=invoice_id,
    )


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _deliveries_context(invoice: Invoice, **extra: Any) -> dict[str, Any]:
    items = invoice_deliveries(invoice.pk)
    return {"invoice": invoice, "deliveries": {"items": items, "polling": any_in_flight(items)}, **extra}


@salesperson_only
@require_http_methods(["GET", "POST"])
def send_email(request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """GET: the compose dialog with SPEC §8 defaults. POST: queue the delivery and return at once."""
    invoice = _invoice(invoice_id)
    if request.method == "POST":
        form = SendEmailForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            token = values.pop("form_token")
            try:  # one delivery per dialog: a replay of its token finds the delivery it queued
                result, queued_now = create_once(
                    token,
                    Delivery.__name__,
                    lambda: services.delivery_queue(invoice=invoice, by=request.user, **values),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                delivery = result if queued_now else get_object_or_404(Delivery, pk=result.result_id)
                if is_htmx(request):
                    response = render(request, DIALOG, {"invoice": invoice, "queued": delivery})
                    response["HX-Trigger"] = "deliveryQueued"
                    return response
                if queued_now:
                    messages.success(request, f"Email to {delivery.to} queued.")
                else:
                    messages.info(
                        request, f"This email to {delivery.to} was already queued; it is not sent twice."
                    )
                return redirect(_next_url(request, reverse("documents:deliveries", args=[invoice.pk])))
    else:  # the default message quotes the total: show the one the PDF will carry (SPEC §6)
        invoice = ensure_current_pricing(invoice, by=request.user)
        form = SendEmailForm(initial=services.compose_defaults(invoice))
    context = {"invoice": invoice, "form": form, "next": _next_url(request, "")}
    return render(request, DIALOG if is_htmx(request) else "documents/send_email.html", context)


@salesperson_only
@require_GET
def deliveries(request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """The invoice's deliveries with their live state (htmx polls this while one is in flight)."""
    invoice = _invoice(invoice_id)
    template = DELIVERIES if is_htmx(request) else "documents/deliveries.html"
    return render(request, template, _deliveries_context(invoice))


@salesperson_only
@require_POST
def retry(request: HttpRequest, delivery_id: Any) -> HttpResponse:
    """Retry a failed delivery (only failed ones: the service refuses the rest)."""
    delivery = get_object_or_404(Delivery.objects.select_related("invoice"), pk=delivery_id)
    error = ""
    try:
        services.delivery_retry(delivery=delivery, by=request.user)
    except DomainError as exc:
        error = exc.message
    invoice = _invoice(delivery.invoice_id)
    if is_htmx(request):
        return render(request, DELIVERIES, _deliveries_context(invoice, error=error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Email to {delivery.to} queued again.")
    return redirect(_next_url(request, reverse("documents:deliveries", args=[invoice.pk])))


@salesperson_only
@require_GET
def download_pdf(request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """Download PDF: the stored PDF, rendered first when the invoice changed since."""
    invoice = _invoice(invoice_id)
    pdf = services.invoice_pdf(invoice, by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{services.pdf_filename(invoice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@salesperson_only
@require_GET
def print_preview(request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """The HTML the PDF is made from (no logo: the browser can't reach the PDF's asset origin)."""
    invoice = ensure_current_pricing(_invoice(invoice_id), by=request.user)
    rendered = invoice_html(invoice, asset_origin="")
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    # Belt and braces: even if something slipped through escaping, the page can't load or run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"
    return response
