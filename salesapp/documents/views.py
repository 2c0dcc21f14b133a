"""Send by Email, deliveries (htmx polling), Retry, Download PDF, print preview (SPEC §8) of invoices
and credit notes, and Send Payment Reminder of invoices (SPEC §10).

Thin views: parse, check the role on the server, call one service, render a partial for htmx or a
full page (extending base.html) otherwise.

URL names (namespace `documents`): invoices `send_email`, `deliveries`, `invoice_pdf`, `invoice_print`,
`invoice_remind`; quotes, orders and credit notes `<kind>_send_email`, `<kind>_deliveries`, `<kind>_pdf`,
`<kind>_print` (kind: quote, salesorder, creditnote); `delivery_retry` for all.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesapp.accounts.roles import has_role, is_salesperson
from salesapp.core.exceptions import DomainError, PermissionDeniedError
from salesapp.core.views.lists import SelectionError, selected_ids
from salesapp.core.views.records import create_once, next_url
from salesapp.sales.models import Invoice
from salesapp.sales.services import ensure_current_pricing

from . import batches, services
from .forms import BulkEmailForm, ReminderForm, SendEmailForm
from .kinds import CREDIT_NOTE, INVOICE, KINDS, QUOTE, SALES_ORDER, DocumentKind, kind_of
from .models import DOCUMENT_RELATIONS, Delivery, DeliveryBatch
from .rendering import document_html
from .selectors import any_in_flight, document_deliveries

DIALOG = "documents/_send_email_form.html"
DELIVERIES = "documents/_deliveries.html"
# The URL names of each kind's views (invoices keep the names they had before credit notes came).
URL_NAMES = {
    INVOICE.kind: {
        "email": "send_email",
        "deliveries": "deliveries",
        "pdf": "invoice_pdf",
        "print": "invoice_print",
    },
    **{
        kind: {
            "email": f"{kind}_send_email",
            "deliveries": f"{kind}_deliveries",
            "pdf": f"{kind}_pdf",
            "print": f"{kind}_print",
        }
        for kind in KINDS
        if kind != INVOICE.kind
    },
}


def document_urls(document: Any) -> dict[str, str]:
    names = URL_NAMES[kind_of(document).kind]
    return {what: reverse(f"documents:{name}", args=[document.pk]) for what, name in names.items()}


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


CUSTOMER_RELATED = ("currency", "customer_account", "customer_contact", "customer_account__primary_contact")


def _invoice(invoice_id: Any) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related(*CUSTOMER_RELATED), pk=invoice_id)


def _load(kind: DocumentKind, pk: Any) -> Any:
    related = (*CUSTOMER_RELATED, "invoice") if kind is CREDIT_NOTE else CUSTOMER_RELATED
    return get_object_or_404(kind.model.objects.select_related(*related), pk=pk)


def _context(document: Any, **extra: Any) -> dict[str, Any]:
    """What the documents templates need: the document (also as `invoice` for invoices), its kind, URLs."""
    kind = kind_of(document)
    return {
        "document": document,
        "invoice": document if kind is INVOICE else None,
        "kind": kind,
        "urls": document_urls(document),
        **extra,
    }


def _deliveries_context(document: Any, **extra: Any) -> dict[str, Any]:
    items = document_deliveries(document)
    return _context(document, deliveries={"items": items, "polling": any_in_flight(items)}, **extra)


def _send_email(request: HttpRequest, kind: DocumentKind, pk: Any) -> HttpResponse:
    """GET: the compose dialog with SPEC §8 defaults. POST: queue the delivery and return at once."""
    document = _load(kind, pk)
    if request.method == "POST":
        form = SendEmailForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            token = values.pop("form_token")
            try:  # one delivery per dialog: a replay of its token finds the delivery it queued
                result, queued_now = create_once(
                    token,
                    Delivery.__name__,
                    lambda: services.delivery_queue(document=document, by=request.user, **values),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                delivery = result if queued_now else get_object_or_404(Delivery, pk=result.result_id)
                if is_htmx(request):
                    response = render(request, DIALOG, _context(document, queued=delivery))
                    response["HX-Trigger"] = "deliveryQueued"
                    return response
                if queued_now:
                    messages.success(request, f"Email to {delivery.to} queued.")
                else:
                    messages.info(
                        request, f"This email to {delivery.to} was already queued; it is not sent twice."
                    )
                return redirect(next_url(request, document_urls(document)["deliveries"]))
    else:  # the default message quotes the total: show the one the PDF will carry (SPEC §6)
        document = ensure_current_pricing(document, by=request.user)
        form = SendEmailForm(initial=services.compose_defaults(document))
    context = _context(document, form=form, next=next_url(request, ""))
    return render(request, DIALOG if is_htmx(request) else "documents/send_email.html", context)


def _deliveries(request: HttpRequest, kind: DocumentKind, pk: Any) -> HttpResponse:
    """The document's deliveries with their live state (htmx polls this while one is in flight)."""
    document = _load(kind, pk)
    template = DELIVERIES if is_htmx(request) else "documents/deliveries.html"
    return render(request, template, _deliveries_context(document))


def _download_pdf(request: HttpRequest, kind: DocumentKind, pk: Any) -> HttpResponse:
    """Download PDF: the stored PDF, rendered first when the document changed since."""
    document = _load(kind, pk)
    try:
        pdf = services.document_pdf(document, by=request.user)
    except DomainError as exc:  # e-invoicing on and the document can't be an e-invoice yet
        messages.error(request, exc.message)
        return redirect(reverse(f"{kind.kind}_detail", args=[document.pk]))
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{services.pdf_filename(document)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _print_preview(request: HttpRequest, kind: DocumentKind, pk: Any) -> HttpResponse:
    """The HTML the PDF is made from (no logo: the browser can't reach the PDF's asset origin)."""
    document = ensure_current_pricing(_load(kind, pk), by=request.user)
    rendered = document_html(document, asset_origin="")
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    # Belt and braces: even if something slipped through escaping, the page can't load or run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"
    return response


def _bind(handler: Callable[..., HttpResponse], kind: DocumentKind, param: str, *decorators: Any) -> Any:
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return handler(request, kind, kwargs[param])

    view.__name__ = f"{kind.kind}_{handler.__name__.strip('_')}"
    view.__doc__ = handler.__doc__
    for decorator in reversed(decorators):
        view = decorator(view)
    return view


EMAIL = (salesperson_only, require_http_methods(["GET", "POST"]))
READ = (salesperson_only, require_GET)

send_email = _bind(_send_email, INVOICE, "invoice_id", *EMAIL)
deliveries = _bind(_deliveries, INVOICE, "invoice_id", *READ)
download_pdf = _bind(_download_pdf, INVOICE, "invoice_id", *READ)
print_preview = _bind(_print_preview, INVOICE, "invoice_id", *READ)
creditnote_send_email = _bind(_send_email, CREDIT_NOTE, "credit_note_id", *EMAIL)
creditnote_deliveries = _bind(_deliveries, CREDIT_NOTE, "credit_note_id", *READ)
creditnote_pdf = _bind(_download_pdf, CREDIT_NOTE, "credit_note_id", *READ)
creditnote_print = _bind(_print_preview, CREDIT_NOTE, "credit_note_id", *READ)
quote_send_email = _bind(_send_email, QUOTE, "quote_id", *EMAIL)
quote_deliveries = _bind(_deliveries, QUOTE, "quote_id", *READ)
quote_pdf = _bind(_download_pdf, QUOTE, "quote_id", *READ)
quote_print = _bind(_print_preview, QUOTE, "quote_id", *READ)
salesorder_send_email = _bind(_send_email, SALES_ORDER, "order_id", *EMAIL)
salesorder_deliveries = _bind(_deliveries, SALES_ORDER, "order_id", *READ)
salesorder_pdf = _bind(_download_pdf, SALES_ORDER, "order_id", *READ)
salesorder_print = _bind(_print_preview, SALES_ORDER, "order_id", *READ)


@salesperson_only
@require_POST
def retry(request: HttpRequest, delivery_id: Any) -> HttpResponse:
    """Retry a failed delivery (only failed ones: the service refuses the rest)."""
    delivery = get_object_or_404(Delivery.objects.select_related(*DOCUMENT_RELATIONS), pk=delivery_id)
    error = ""
    try:
        services.delivery_retry(delivery=delivery, by=request.user)
    except DomainError as exc:
        error = exc.message
    document = _load(kind_of(delivery.document), delivery.document.pk)
    if is_htmx(request):
        return render(request, DELIVERIES, _deliveries_context(document, error=error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Email to {delivery.to} queued again.")
    return redirect(next_url(request, document_urls(document)["deliveries"]))


@require_POST
def remind(request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """Send Payment Reminder (a sales manager, an overdue invoice): queue one reminder per form token."""
    invoice = _invoice(invoice_id)
    if not has_role(request.user, invoice.lifecycle.role("remind"), invoice):
        raise PermissionDenied("Only a sales manager may send a payment reminder.")
    back = next_url(request, document_urls(invoice)["deliveries"])
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form is out of date: reload the page and try again.")
        return redirect(back)
    try:
        delivery = services.reminder_send(
            invoice=invoice, by=request.user, token=form.cleaned_data["form_token"]
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        error = exc.message
        if is_htmx(request):
            return render(request, DELIVERIES, _deliveries_context(invoice, error=error), status=200)
        messages.error(request, error)
        return redirect(back)
    if is_htmx(request):
        response = render(request, DELIVERIES, _deliveries_context(invoice))
        response["HX-Trigger"] = "deliveryQueued"
        return response
    if delivery.queued_now:
        messages.success(request, f"Payment reminder to {delivery.to} queued.")
    else:
        messages.info(
            request, f"This payment reminder to {delivery.to} was already queued; it is not sent twice."
        )
    return redirect(back)


# --- bulk Send by Email from the invoice and credit note lists -----------------------------------------

BATCH_PROGRESS = "documents/_batch_progress.html"
PLACEHOLDERS = {
    INVOICE.kind: "{number} {customer} {total} {balance} {due} {invoice_date} {seller}",
    CREDIT_NOTE.kind: "{number} {invoice} {customer} {total} {invoice_date} {seller}",
}


def _bulk_defaults(kind: DocumentKind) -> dict[str, str]:
    """The templates a single Send by Email of this kind starts from, placeholders unfilled."""
    subject, body = services.email_templates(kind.kind)
    return {"subject": subject, "body": body}


def _list_url(kind: DocumentKind) -> str:
    return reverse("creditnote_list" if kind is CREDIT_NOTE else "invoice_list")


def _bulk_email(request: HttpRequest, kind: DocumentKind) -> HttpResponse:
    """POST from a list with the ticked `ids`: the confirm page (templates, who gets an email and who
    doesn't, and why). POST of that page (`confirm`): one batch, then its progress page."""
    back = next_url(request, _list_url(kind))
    try:
        ids = selected_ids(request.POST)
    except SelectionError as exc:
        messages.error(request, str(exc).replace("records", f"{kind.noun}s").replace("record", kind.noun))
        return redirect(back)
    confirming = "confirm" in request.POST
    form = BulkEmailForm(request.POST if confirming else None, initial=_bulk_defaults(kind))
    templates = form.cleaned_data if confirming and form.is_valid() else form.initial
    if confirming and form.is_valid():
        try:  # one batch per confirm page: a replay of its token finds the batch it queued
            result, queued_now = create_once(
                form.cleaned_data["form_token"],
                DeliveryBatch.__name__,
                lambda: batches.delivery_queue_many(
                    kind=kind,
                    ids=ids,
                    by=request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                ),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if not queued_now:
                messages.info(request, "This batch was already queued; nothing is sent twice.")
            return redirect("documents:batch", batch_id=result.pk if queued_now else result.result_id)
    plan = None
    if not form.errors:
        try:
            plan = batches.delivery_preview_many(
                kind=kind, ids=ids, by=request.user, subject=templates["subject"], body=templates["body"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    context = {
        "kind": kind,
        "form": form,
        "ids": ids,
        "plan": plan,
        "ready": [
            {
                "number": d.number,
                "customer": d.customer.name if d.customer else "",
                "to": services.customer_email(d),
                "url": _document_url(kind, d.pk),
            }
            for d in (plan.ready if plan else [])
        ],
        "skipped": [_skip_row(kind, skip.as_row()) for skip in (plan.skipped if plan else [])],
        "placeholders": PLACEHOLDERS[kind.kind],
        "next": back,
    }
    return render(request, "documents/bulk_email_confirm.html", context, status=200 if plan else 400)


def _document_url(kind: DocumentKind, pk: Any) -> str:
    return reverse("creditnote_detail" if kind is CREDIT_NOTE else "invoice_detail", args=[pk])


def _skip_row(kind: DocumentKind, skip: dict[str, str]) -> dict[str, str]:
    """A skipped document for the pages: a link when it exists (an id that matched nothing has none)."""
    return {**skip, "url": _document_url(kind, skip["id"]) if skip.get("number") else ""}


def _bulk_bind(kind: DocumentKind) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        return _bulk_email(request, kind)

    view.__name__ = f"{kind.kind}_bulk_email"
    view.__doc__ = _bulk_email.__doc__
    return salesperson_only(require_POST(view))


invoice_bulk_email = _bulk_bind(INVOICE)
creditnote_bulk_email = _bulk_bind(CREDIT_NOTE)


@salesperson_only
@require_GET
def batch(request: HttpRequest, batch_id: Any) -> HttpResponse:
    """A bulk send's progress (htmx polls the partial while deliveries are in flight) and summary."""
    found = get_object_or_404(DeliveryBatch, pk=batch_id)
    kind = KINDS[found.kind]
    deliveries = list(found.deliveries.select_related(*DOCUMENT_RELATIONS).order_by("created_on", "pk"))
    context = {
        "batch": found,
        "kind": kind,
        "progress": batches.batch_progress(found),
        "deliveries": deliveries,
        "skipped": [_skip_row(kind, skip) for skip in found.skipped],
        "list_url": _list_url(kind),
    }
    return render(request, BATCH_PROGRESS if is_htmx(request) else "documents/batch.html", context)
