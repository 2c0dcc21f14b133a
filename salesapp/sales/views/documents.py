"""Document screens: lists, New, the record page (header, products grid, totals, timeline) and commands.

Views parse forms and call one service each; DomainErrors come back as form errors or flash messages.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from salesapp.accounts.decorators import manager_required, salesperson_required
from salesapp.accounts.roles import is_manager, is_salesperson, may_manage
from salesapp.core.addresses import address_fields
from salesapp.core.exceptions import ConcurrentChange, DomainError, PermissionDeniedError
from salesapp.core.models import OrganizationSettings
from salesapp.core.views.lists import (
    BulkAction,
    Column,
    ListFilter,
    ListPage,
    ListView,
    date_column,
    money_column,
    render_list,
)
from salesapp.core.views.records import add_domain_error, create_once, run_form
from salesapp.customers.views import bulk_assign
from salesapp.sales import selectors, services
from salesapp.sales.forms import (
    HEADER_FORMS,
    DocumentCreateForm,
    LineForm,
    NoteForm,
    offer_default_pricing_only,
)
from salesapp.sales.models import CreditNote, Invoice, Opportunity, PricedDocument, Quote, SalesOrder
from salesapp.sales.services.notes import may_add_note

from . import timeline
from .grid import grid_rows
from .kinds import Command, Kind, url_of

DOCUMENT_TEMPLATE = "sales/document_detail.html"
CUSTOMER_FIELDS = ("customer_account__name", "customer_contact__last_name", "customer_contact__first_name")


def _customer(doc: Any) -> str:
    return doc.customer.name if doc.customer else ""


def _owner(doc: Any) -> str:
    return doc.owner.username if doc.owner_id else ""


def _places(doc: Any) -> int:
    return doc.currency.precision


def _status(doc: Any) -> str:
    return f"{doc.state_label} · {doc.status_label}"


NUMBER_COLUMN = {
    Quote: Column("Quote ID", lambda d: f"{d.quote_number} r{d.revision_number}", sort="quote_number"),
    SalesOrder: Column("Order ID", lambda d: d.order_number, sort="order_number"),
    Invoice: Column("Invoice ID", lambda d: d.invoice_number, sort="invoice_number"),
}
NUMBER_SEARCH = {Quote: "quote_number", SalesOrder: "order_number", Invoice: "invoice_number"}


FILTER_PARAMS = ("q", "state", "customer", "owner", "from", "to")


def list_views(kind: Kind) -> tuple[ListView, ...]:
    """D365's view selector: "My Open Opportunities", "Open Opportunities", "All Opportunities"."""
    is_open = Q(state__in=kind.open_states)
    views = (
        ListView("my", f"My Open {kind.title}", lambda user: is_open & Q(owner_id=user.pk)),
        ListView("open", f"Open {kind.title}", lambda user: is_open),
        ListView("all", f"All {kind.title}", lambda user: Q()),
    )
    views += closed_this_month(kind)
    if kind.model is Invoice:
        # SPEC §10: derived from due date and balance, never stored; "today" is the request's
        views += (
            ListView("balance", "Invoices With Balance Due", lambda user: selectors.open_invoices()),
            ListView(
                "overdue",
                "Overdue Invoices",
                lambda user: selectors.overdue_invoices(timezone.localdate()),
            ),
        )
    return views


def this_month(field: str) -> Q:
    """`field` (a date) falls in the current month of the request's "today"."""
    start = timezone.localdate().replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return Q(**{f"{field}__gte": start, f"{field}__lt": following})


# The closing actions of each lifecycle (states.py) and the date the closing service records.
CLOSED_THIS_MONTH = {
    Opportunity: ("Opportunities Closed This Month", ("win", "lose"), "actual_close_date"),
    Quote: ("Quotes Won This Month", ("win", "convert"), "closed_on"),
    Invoice: ("Invoices Paid This Month", ("pay",), "date_paid"),
}


def closed_this_month(kind: Kind) -> tuple[ListView, ...]:
    """ "Closed this month": records an action of the lifecycle table moved to a closed state (Won or
    Lost, Paid) whose closing date is in this month."""
    if kind.model not in CLOSED_THIS_MONTH:
        return ()
    label, actions, field = CLOSED_THIS_MONTH[kind.model]
    table = kind.model.lifecycle.actions
    targets = {table[name].target for name in actions}
    return (ListView("closed-month", label, lambda user: Q(state__in=targets) & this_month(field)),)


def default_view(user: Any, params: Any) -> str:
    """A salesperson starts on their own open records, as in D365; a manager on all of them. A query
    string with filters (a link from the dashboard, a search) means all records, filtered."""
    if is_manager(user) or any(params.get(name) for name in FILTER_PARAMS):
        return "all"
    return "my"


def status_filter(model: type[PricedDocument]) -> ListFilter:
    """`?status=N`: one status reason of the model (the dashboard's bars link to it)."""
    known = dict(model._meta.get_field("status").choices or ())

    def condition(value: str) -> Q | None:
        return Q(status=int(value)) if value.isascii() and value.isdigit() and int(value) in known else None

    return ListFilter("status", "Status reason", condition)


def closed_in_month(value: str) -> Q | None:
    """`?closed=2026-05`: opportunities closed (actual close date) in that month."""
    try:
        first = datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        return None
    after = (first + datetime.timedelta(days=31)).replace(day=1)
    return Q(actual_close_date__gte=first, actual_close_date__lt=after)


def list_filters(model: type[PricedDocument]) -> tuple[ListFilter, ...]:
    filters: tuple[ListFilter, ...] = (status_filter(model),)
    if model is Opportunity:
        filters += (ListFilter("closed", "Closed in", closed_in_month),)
    if model is Invoice:
        # "today" is the request's, as for the overdue view
        filters += (
            ListFilter("aging", "Days overdue", lambda v: selectors.aging_bucket(v, timezone.localdate())),
        )
    return filters


# Send by Email of the invoices ticked in the list (salesapp.documents: the view checks the role again).
INVOICE_BULK_EMAIL = BulkAction("email", "Send by Email", "documents:invoice_bulk_email", is_salesperson)


def list_page(kind: Kind) -> ListPage:
    model = kind.model
    columns: list[Column] = []
    if model in NUMBER_COLUMN:
        columns.append(NUMBER_COLUMN[model])
    columns += [
        Column("Topic" if model is Opportunity else "Name", lambda d: d.name, sort="name", link=True),
        Column(
            "Potential Customer" if model is Opportunity else "Customer",
            _customer,
            sort="customer_account__name",
        ),
        Column("Status", _status, sort="state"),
    ]
    if model is Opportunity:
        columns += [
            date_column("Est. Close Date", lambda d: d.estimated_close_date, sort="estimated_close_date"),
            money_column("Est. Revenue", lambda d: d.estimated_value, _places, sort="estimated_value"),
        ]
    if model is Invoice:
        columns += [
            date_column("Invoice Date", lambda d: d.invoice_date, sort="invoice_date"),
            date_column("Due Date", lambda d: d.due_date, sort="due_date"),
        ]
    columns += [
        Column("Currency", lambda d: d.currency.code),
        money_column("Total Amount", lambda d: d.total_amount, _places, sort="total_amount"),
    ]
    if model is Invoice:
        # Each row in its own currency; the sort is by the base amount, so it ranks across currencies.
        columns += [
            money_column("Amount Paid", lambda d: d.amount_paid, _places, sort="amount_paid_base"),
            money_column("Balance Due", lambda d: d.balance_due, _places, sort="balance_due_base"),
        ]
    columns += [
        Column("Owner", _owner, sort="owner__username"),
        date_column("Created On", lambda d: d.created_on, sort="created_on"),
    ]
    search = ("name", NUMBER_SEARCH[model]) if model in NUMBER_SEARCH else ("name", "description")
    return ListPage(
        title=kind.title,
        url_name=kind.url_name("list"),
        create_url_name=kind.url_name("create"),
        queryset=lambda: selectors.document_list(model),
        detail_url=kind.url,
        columns=tuple(columns),
        search_fields=search,
        state_choices=model.lifecycle.states.choices,
        customer_fields=CUSTOMER_FIELDS,
        date_field="invoice_date" if model is Invoice else "created_on",
        date_label="Invoice Date" if model is Invoice else "Created On",
        views=list_views(kind),
        default_view=default_view,
        bulk_actions=(bulk_assign(kind.slug), *((INVOICE_BULK_EMAIL,) if model is Invoice else ())),
        filters=list_filters(model),
    )


# --- the record page ----------------------------------------------------------------------------


def load(kind: Kind, pk: Any) -> PricedDocument:
    qs = selectors.document_detail(kind.model)
    if kind.model is CreditNote:
        qs = qs.select_related("invoice")
    return get_object_or_404(qs, pk=pk)


def load_line(kind: Kind, pk: Any, line_pk: Any) -> tuple[PricedDocument, Any]:
    doc = load(kind, pk)
    line = selectors.document_line(doc, line_pk)
    if line is None:
        raise Http404("No such line.")
    return doc, line


PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def products_grid(
    request: HttpRequest, kind: Kind, doc: PricedDocument, lines: list[Any], editing: Any, price_places: int
) -> Any:
    editable = doc.is_editable and not kind.read_only
    return grid_rows(
        lines,
        editable=editable,
        editing=editing,
        money_places=doc.currency.precision,
        price_places=price_places,
        placeholder=PLACEHOLDER,
        edit_url=kind.line_url("line_edit", doc, PLACEHOLDER) if editable else "",
        delete_url=kind.line_url("line_delete", doc, PLACEHOLDER) if editable else "",
        csrf_token=get_token(request),
        row_version=doc.row_version,
    )


def visible_commands(kind: Kind, doc: PricedDocument, user: Any) -> list[Command]:
    """Exactly the actions the record's state (Lifecycle tables) and the user's role allow."""
    manager = is_manager(user)
    return [
        c
        for c in kind.commands
        if doc.can(c.action)
        and c.visible(doc)
        and (manager or not c.manager_only)
        and (not c.owner_only or may_manage(user, doc))
    ]


def document_context(
    request: HttpRequest,
    kind: Kind,
    doc: PricedDocument,
    *,
    header_form: Any = None,
    line_form: LineForm | None = None,
    edit_line: Any = None,
    edit_form: LineForm | None = None,
    dialog: Command | None = None,
    dialog_form: Any = None,
    note_form: NoteForm | None = None,
) -> dict[str, Any]:
    editable = doc.is_editable
    commands = visible_commands(kind, doc, request.user)
    command_forms = []
    for command in commands:
        url = kind.command_url(command, doc)
        if dialog is not None and command.name == dialog.name:
            command_forms.append({"command": command, "form": dialog_form, "url": url})
        elif command.deferred:
            opener = f"{kind.url(doc)}?{urlencode({'dialog': command.name})}"
            command_forms.append({"command": command, "form": None, "url": url, "opener": opener})
        else:
            command_forms.append({"command": command, "form": command.build_form(doc), "url": url})
    if header_form is None:
        header_form = HEADER_FORMS[kind.model](instance=doc, editable=editable)
    if line_form is None and editable:
        line_form = LineForm(initial={"row_version": doc.row_version}, prefix="add")
        if doc.is_price_locked:
            offer_default_pricing_only(line_form)
    lines = selectors.document_lines(doc)
    price_places = OrganizationSettings.load().pricing_precision
    invoice = doc if isinstance(doc, Invoice) else None
    return {
        **money_context(invoice),
        "grid_rows": products_grid(request, kind, doc, lines, edit_line, price_places),
        "kind": kind,
        "doc": doc,
        "editable": editable,
        "lines": lines,
        "detail_url": kind.url(doc),
        "line_add_url": "" if kind.read_only else kind.line_url("line_add", doc),
        "line_edit_url": kind.line_url("line_edit", doc, edit_line.pk) if edit_line is not None else "",
        **timeline_context(request, kind, doc, note_form),
        "related": selectors.related_documents(doc),
        "header_form": header_form,
        "sections": header_sections(header_form),
        "line_form": line_form,
        "edit_line": edit_line,
        "edit_form": edit_form,
        "commands": command_forms,
        "open_dialog": dialog.name if dialog else "",
        "is_invoice": invoice is not None,
        "invoice": invoice,
        "credit_note": doc if isinstance(doc, CreditNote) else None,
        "is_sales_document": not isinstance(doc, Opportunity),
        "list_url": kind.list_url(),
        "new_url": "" if kind.read_only else kind.create_url(),
        "title": doc.display_name,
    }


def timeline_context(
    request: HttpRequest, kind: Kind, doc: PricedDocument, note_form: NoteForm | None = None
) -> dict[str, Any]:
    """The timeline's entries, and the note form for a user who may add one (as they may edit)."""
    may_note = may_add_note(request.user, doc)
    return {
        "timeline": timeline.entries(doc, request.user),
        "note_form": (note_form or NoteForm()) if may_note else None,
        "note_url": reverse(kind.url_name("note_add"), args=[doc.pk]) if may_note else "",
    }


def money_context(invoice: Invoice | None) -> dict[str, Any]:
    """An invoice's payments and credit notes (one query each, whatever their number), and why it
    can't be canceled when Cancel Invoice isn't offered for that reason (sent, or credited)."""
    if invoice is None:
        return {"payments": [], "credit_notes": [], "cancel_note": ""}
    refusal = invoice.refusal("cancel")
    return {
        "payments": selectors.invoice_payments(invoice),
        "credit_notes": selectors.invoice_credit_notes(invoice),
        "cancel_note": refusal if refusal and invoice.lifecycle.can("cancel", invoice.state) else "",
    }


SECTIONS = {
    "summary": (
        "name",
        "description",
        "estimated_close_date",
        "estimated_value",
        "is_revenue_system_calculated",
    ),
    "sales": ("contact", "price_list", "currency"),
    "discounts": ("discount_percentage", "discount_amount", "freight_amount"),
    "billto": address_fields("billto", with_name=True),
    "shipto": address_fields("shipto", with_name=True),
    "terms": (
        "payment_terms",
        "freight_terms",
        "shipping_method",
        "effective_from",
        "effective_to",
        "due_by",
        "requested_delivery_by",
        "invoice_date",
        "due_date",
    ),
}


def header_sections(form: Any) -> dict[str, list[Any]]:
    """The header's inputs by page section (Summary, Sales Information, addresses, terms…)."""
    return {key: [form[name] for name in names if name in form.fields] for key, names in SECTIONS.items()}


def render_document(request: HttpRequest, kind: Kind, doc: PricedDocument, **kwargs: Any) -> HttpResponse:
    partial = kwargs.pop("partial", False)
    if partial or (request.headers.get("HX-Request") and request.method == "POST"):
        return render(
            request, "sales/_products_response.html", document_context(request, kind, doc, **kwargs)
        )
    return render(request, DOCUMENT_TEMPLATE, document_context(request, kind, doc, **kwargs))


# --- the views -----------------------------------------------------------------------------------
# Each URL in sales/urls.py passes the Kind it serves (and a command its name) as extra kwargs.


@salesperson_required
def document_list(request: HttpRequest, kind: Kind) -> HttpResponse:
    return render_list(request, list_page(kind))


@salesperson_required
def document_create(request: HttpRequest, kind: Kind) -> HttpResponse:
    initial = {"customer": request.GET.get("customer", "")}
    form = DocumentCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result, created = create_once(
                data["form_token"],
                kind.model.__name__,
                lambda: services.document_create(
                    kind.model,
                    by=request.user,
                    customer=data["customer"],
                    name=data["name"],
                    **({"price_list": data["price_list"]} if data["price_list"] else {}),
                    **({"currency": data["currency"]} if data["currency"] else {}),
                ),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if created:
                messages.success(request, f"Created {kind.noun} {result.display_name}.")
                return redirect(kind.url(result))
            return redirect(reverse(kind.url_name("detail"), args=[result.result_id]))
    return render(
        request,
        "sales/document_create.html",
        {
            "kind": kind,
            "form": form,
            "title": f"New {kind.noun.capitalize()}",
            "list_url": kind.list_url(),
        },
    )


@salesperson_required
def document_detail(request: HttpRequest, kind: Kind, pk: Any) -> HttpResponse:
    doc = load(kind, pk)
    if request.method == "POST":
        return _save_header(request, kind, doc)
    fresh = services.ensure_current_pricing(doc, by=request.user)  # SPEC §6: show current prices
    if fresh is not doc:
        doc = load(kind, pk)
    # A deferred dialog (Create Credit Note) opens on the page that `?dialog=<name>` asks for.
    name = request.GET.get("dialog", "")
    opened = next(
        (c for c in visible_commands(kind, doc, request.user) if c.deferred and c.name == name), None
    )
    if opened is not None:
        return render_document(request, kind, doc, dialog=opened, dialog_form=opened.build_form(doc))
    return render_document(request, kind, doc)


@require_POST
@salesperson_required
def line_add(request: HttpRequest, kind: Kind, pk: Any) -> HttpResponse:
    doc = load(kind, pk)
    form = LineForm(request.POST, prefix="add")
    line = run_form(
        request,
        form,
        lambda data: services.line_add(
            document=doc, by=request.user, expected_version=data["row_version"], **form.service_args()
        ),
    )
    if line is None:
        return _line_error(request, kind, doc, line_form=form)
    messages.success(request, f"Added {line.product_name}.")
    return _after_line_change(request, kind, pk)


@salesperson_required
def line_edit(request: HttpRequest, kind: Kind, pk: Any, line_pk: Any) -> HttpResponse:
    doc, line = load_line(kind, pk, line_pk)
    if request.method != "POST":
        form = LineForm.for_line(line, doc.row_version)
        return render_document(
            request,
            kind,
            doc,
            edit_line=line,
            edit_form=form,
            partial=bool(request.headers.get("HX-Request")),
        )
    form = LineForm(request.POST, prefix=f"line-{line.pk}")
    updated = run_form(
        request,
        form,
        lambda data: services.line_update(
            line=line, by=request.user, expected_version=data["row_version"], **form.changes(line)
        ),
    )
    if updated is None:
        return _line_error(request, kind, doc, edit_line=line, edit_form=form)
    messages.success(request, f"Changed {updated.product_name}.")
    return _after_line_change(request, kind, pk)


@require_POST
@salesperson_required
def line_delete(request: HttpRequest, kind: Kind, pk: Any, line_pk: Any) -> HttpResponse:
    doc, line = load_line(kind, pk, line_pk)
    try:
        version = int(request.POST.get("row_version", ""))
    except ValueError:
        version = None
    try:
        services.line_delete(line=line, by=request.user, expected_version=version)
        messages.success(request, f"Removed {line.product_name}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _after_line_change(request, kind, pk)


@require_POST
@salesperson_required
def document_command(request: HttpRequest, kind: Kind, pk: Any, command: str) -> HttpResponse:
    """A command bar button (Activate, Create Order, Lock Pricing…) that a salesperson may press."""
    return _run_command(request, kind, pk, kind.command(command))


@require_POST
@manager_required
def manager_command(request: HttpRequest, kind: Kind, pk: Any, command: str) -> HttpResponse:
    """A command bar button only a sales manager may press (Invoice Paid, Cancel Invoice, Cancel Order).

    Its own URL guard lets the URL resolver (and tests/web/test_permissions.py) see the role; the
    command's `manager_only` is still the rule, checked again in `_run_command`.
    """
    return _run_command(request, kind, pk, kind.command(command))


def _save_header(request: HttpRequest, kind: Kind, doc: PricedDocument) -> HttpResponse:
    form = HEADER_FORMS[kind.model](request.POST, instance=doc, editable=doc.is_editable)
    if not doc.is_editable:
        messages.error(request, f"This {kind.noun} is {doc.state_label} and can't be edited.")
        return redirect(kind.url(doc))
    if form.is_valid() and not form.changes():
        messages.info(request, "Nothing to save.")
        return redirect(kind.url(doc))
    saved = run_form(
        request,
        form,
        lambda data: services.document_update(
            doc, by=request.user, expected_version=data["row_version"], **form.changes()
        ),
    )
    if saved is None:
        return render(request, DOCUMENT_TEMPLATE, document_context(request, kind, doc, header_form=form))
    messages.success(request, "Saved.")
    return redirect(kind.url(doc))


def _line_error(request: HttpRequest, kind: Kind, doc: PricedDocument, **kwargs: Any) -> HttpResponse:
    """Bad line input: the grid comes back with the message next to the field; nothing was saved."""
    doc = load(kind, doc.pk)
    if not request.headers.get("HX-Request"):
        messages.error(request, "The product line was not saved: see the message next to the field.")
    return render_document(request, kind, doc, **kwargs)


def _after_line_change(request: HttpRequest, kind: Kind, pk: Any) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render_document(request, kind, load(kind, pk))
    return redirect(reverse(kind.url_name("detail"), args=[pk]))


def _run_command(request: HttpRequest, kind: Kind, pk: Any, command: Command) -> HttpResponse:
    """Ask the command's dialog questions, call its one service, show the record it leads to."""
    if command.manager_only and not is_manager(request.user):
        raise PermissionDenied("Only a sales manager may do this.")
    doc = load(kind, pk)
    if command.owner_only and not may_manage(request.user, doc):
        raise PermissionDenied(f"Only the {kind.noun}'s owner or a sales manager may do this.")
    form = command.build_form(doc, request.POST)
    if not form.is_valid():
        if set(form.errors) <= {"row_version"}:
            messages.error(request, "This page is out of date: reload it and try again.")
            return redirect(kind.url(doc))
        return render_document(request, kind, doc, dialog=command, dialog_form=form)
    try:
        result = command.run(doc, request.user, form.cleaned_data)
    except ConcurrentChange as exc:
        messages.warning(request, exc.message)
        return redirect(kind.url(doc))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        if exc.field and exc.field in form.fields and exc.field != "row_version":
            add_domain_error(form, exc)
            return render_document(request, kind, load(kind, pk), dialog=command, dialog_form=form)
        messages.error(request, exc.message)
        return redirect(kind.url(doc))
    messages.success(request, command.done)
    return redirect(kind.list_url() if command.to_list else url_of(result))
