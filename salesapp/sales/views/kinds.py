"""The four document types of the screens and the commands of their command bars.

A command names the lifecycle action that must be allowed (states.py), the role it needs, the
dialog form that asks its questions, and the one service it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.urls import reverse

from salesapp.core.exceptions import DomainError
from salesapp.sales import services
from salesapp.sales.forms import (
    AddPaymentForm,
    AssignForm,
    CancelOrderForm,
    CloseAsLostForm,
    CloseAsWonForm,
    CloseQuoteForm,
    ConvertQuoteForm,
    CreditNoteForm,
    FulfillOrderForm,
    GetProductsForm,
    InvoicePaidForm,
    StatusReasonForm,
    VersionedForm,
    credit_line_input,
)
from salesapp.sales.models import CreditNote, Invoice, Opportunity, PricedDocument, Quote, SalesOrder
from salesapp.sales.states import (
    CreditNoteState,
    InvoiceState,
    OpportunityState,
    OrderState,
    QuoteState,
    Role,
)

Run = Callable[[Any, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Command:
    name: str  # URL segment; the URL name is Kind.url_name(name)
    label: str  # the D365 button label
    action: str  # the lifecycle action that must be allowed in the record's state
    run: Run  # (document, user, cleaned_data) -> the document to show next; calls one service
    done: str  # flash message on success
    form: type[VersionedForm] = VersionedForm
    manager_only: bool = False  # derived from the lifecycle table by Kind
    owner_only: bool = False  # the owner or a manager (Role.OWNER in the table), derived by Kind
    to_list: bool = False  # the record is gone afterwards (Delete): show the list
    dialog: bool = False  # asks questions in a modal before posting
    # The dialog is built when opened (a link to the page with `?dialog=<name>`), not with every page:
    # for a form that reads every line (Create Credit Note), which a 100-line invoice pays ~30 ms for.
    deferred: bool = False
    confirm: str = ""  # asks for confirmation in a modal
    visible: Callable[[Any], bool] = lambda doc: True
    style: str = "outline-secondary"
    dialog_size: str = ""  # "modal-lg" for a dialog with a table

    def build_form(self, document: PricedDocument, data: Any = None) -> VersionedForm:
        kwargs: dict[str, Any] = {"prefix": self.name, "document": document}
        if data is None:
            kwargs["initial"] = {"row_version": document.row_version}
        return self.form(data, **kwargs)


def _v(data: dict[str, Any]) -> int:
    return data["row_version"]


def _kw(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: data[n] for n in names if data.get(n) is not None}


def _delete(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    services.document_delete(document=doc, by=by, expected_version=_v(data))
    return None


def _assign(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    return services.document_assign(document=doc, by=by, owner=data["owner"], expected_version=_v(data))


def delete_command(noun: str) -> Command:
    return Command(
        "delete",
        "Delete",
        "delete",
        _delete,
        f"{noun.capitalize()} deleted.",
        confirm=f"Delete this {noun}? Its products and timeline are deleted with it; this can't be undone.",
        style="outline-danger",
        to_list=True,
    )


ASSIGN = Command("assign", "Assign", "assign", _assign, "Assigned.", form=AssignForm, dialog=True)


def _get_products(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    return services.get_products(
        document=doc, opportunity=data["opportunity"], by=by, expected_version=_v(data)
    )


def _lock(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    return services.lock_pricing(document=doc, by=by, expected_version=_v(data))


def _unlock(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    return services.use_current_pricing(document=doc, by=by, expected_version=_v(data))


GET_PRODUCTS = Command(
    "get-products",
    "Get Products",
    "edit",
    _get_products,
    "Products added from the opportunity.",
    form=GetProductsForm,
    dialog=True,
)
LOCK = Command(
    "lock-pricing", "Lock Pricing", "lock", _lock, "Pricing locked.", visible=lambda d: not d.prices_locked
)
UNLOCK = Command(
    "use-current-pricing",
    "Use Current Pricing",
    "unlock",
    _unlock,
    "Using current pricing: the products were repriced from the price list.",
    visible=lambda d: d.prices_locked,
)

STATUS_REASON = Command(
    "status",
    "Status Reason",
    "set_status",
    lambda d, u, x: services.document_set_status(
        document=d, by=u, expected_version=_v(x), status=x["status"]
    ),
    "Status reason changed.",
    form=StatusReasonForm,
    dialog=True,
)

OPPORTUNITY_COMMANDS = (
    Command(
        "create-quote",
        "Create Quote",
        "generate",
        lambda d, u, x: services.opportunity_generate_quote(opportunity=d, by=u, expected_version=_v(x)),
        "Quote created from the opportunity.",
    ),
    Command(
        "create-order",
        "Create Order",
        "generate",
        lambda d, u, x: services.opportunity_generate_order(opportunity=d, by=u, expected_version=_v(x)),
        "Order created from the opportunity.",
    ),
    Command(
        "create-invoice",
        "Create Invoice",
        "generate",
        lambda d, u, x: services.opportunity_generate_invoice(opportunity=d, by=u, expected_version=_v(x)),
        "Invoice created from the opportunity.",
    ),
    Command(
        "close-as-won",
        "Close as Won",
        "win",
        lambda d, u, x: services.opportunity_win(
            opportunity=d,
            by=u,
            expected_version=_v(x),
            **_kw(x, "actual_revenue", "close_date", "description"),
        ),
        "Opportunity closed as won.",
        form=CloseAsWonForm,
        dialog=True,
        style="outline-success",
    ),
    Command(
        "close-as-lost",
        "Close as Lost",
        "lose",
        lambda d, u, x: services.opportunity_lose(
            opportunity=d,
            by=u,
            expected_version=_v(x),
            **_kw(x, "status", "competitor", "close_date", "description"),
        ),
        "Opportunity closed as lost.",
        form=CloseAsLostForm,
        dialog=True,
        style="outline-danger",
    ),
    Command(
        "reopen",
        "Reopen",
        "reopen",
        lambda d, u, x: services.opportunity_reopen(opportunity=d, by=u, expected_version=_v(x)),
        "Opportunity reopened.",
    ),
    STATUS_REASON,
    ASSIGN,
    delete_command("opportunity"),
)

QUOTE_COMMANDS = (
    Command(
        "activate",
        "Activate",
        "activate",
        lambda d, u, x: services.quote_activate(quote=d, by=u, expected_version=_v(x)),
        "Quote activated.",
    ),
    GET_PRODUCTS,
    Command(
        "revise",
        "Revise",
        "revise",
        lambda d, u, x: services.quote_revise(quote=d, by=u, expected_version=_v(x)),
        "Quote revised: this is the new draft revision.",
    ),
    Command(
        "create-order",
        "Create Order",
        "convert",
        lambda d, u, x: services.quote_create_order(
            quote=d, by=u, expected_version=_v(x), close_opportunity=x.get("close_opportunity", False)
        ),
        "Order created from the quote.",
        form=ConvertQuoteForm,
        dialog=True,
    ),
    Command(
        "create-invoice",
        "Create Invoice",
        "convert",
        lambda d, u, x: services.quote_create_invoice(
            quote=d, by=u, expected_version=_v(x), close_opportunity=x.get("close_opportunity", False)
        ),
        "Invoice created from the quote.",
        form=ConvertQuoteForm,
        dialog=True,
    ),
    Command(
        "close",
        "Close Quote",
        "close",
        lambda d, u, x: services.quote_close(
            quote=d,
            by=u,
            expected_version=_v(x),
            **_kw(x, "status", "close_date", "close_opportunity", "create_revision", "description"),
        ),
        "Quote closed.",
        form=CloseQuoteForm,
        dialog=True,
        style="outline-danger",
    ),
    ASSIGN,
    delete_command("quote"),
)

ORDER_COMMANDS = (
    Command(
        "create-invoice",
        "Create Invoice",
        "invoice",
        lambda d, u, x: services.order_create_invoice(order=d, by=u, expected_version=_v(x)),
        "Invoice created from the order.",
    ),
    GET_PRODUCTS,
    LOCK,
    UNLOCK,
    Command(
        "fulfill",
        "Fulfill Order",
        "fulfill",
        lambda d, u, x: services.order_fulfill(
            order=d, by=u, expected_version=_v(x), **_kw(x, "status", "date_fulfilled")
        ),
        "Order fulfilled.",
        form=FulfillOrderForm,
        dialog=True,
    ),
    Command(
        "cancel",
        "Cancel Order",
        "cancel",
        lambda d, u, x: services.order_cancel(
            order=d, by=u, expected_version=_v(x), **_kw(x, "canceled_on", "reason")
        ),
        "Order canceled.",
        form=CancelOrderForm,
        dialog=True,
        style="outline-danger",
    ),
    STATUS_REASON,
    ASSIGN,
    delete_command("order"),
)


def _add_payment(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    services.payment_record(
        invoice=doc,
        by=by,
        action="add_payment",
        expected_version=_v(data),
        amount=data["amount"],
        **_kw(data, "paid_on", "method", "reference"),
    )
    return doc


def _credit(doc: Any, by: Any, data: dict[str, Any]) -> Any:
    """Create Credit Note; an error naming `lines[i].quantity` is handed back naming the dialog's
    input for that line, so it shows next to it."""
    try:
        return services.credit_note_create(
            invoice=doc,
            by=by,
            lines=data["lines"],
            expected_version=_v(data),
            **_kw(data, "reason", "credit_date"),
        )
    except DomainError as exc:
        exc.field = credit_line_input(exc.field, data["line_inputs"])
        raise


INVOICE_COMMANDS = (
    GET_PRODUCTS,
    LOCK,
    UNLOCK,
    Command(
        "paid",
        "Invoice Paid",
        "pay",
        lambda d, u, x: services.invoice_mark_paid(
            invoice=d,
            by=u,
            expected_version=_v(x),
            **_kw(x, "status", "paid_on", "amount", "method", "reference"),
        ),
        "Invoice marked as paid.",
        form=InvoicePaidForm,
        dialog=True,
        style="outline-success",
    ),
    Command(
        "add-payment",
        "Add Payment",
        "add_payment",
        _add_payment,
        "Payment recorded.",
        form=AddPaymentForm,
        dialog=True,
        style="outline-success",
    ),
    Command(
        "credit",
        "Create Credit Note",
        "credit",
        _credit,
        "Credit note created.",
        form=CreditNoteForm,
        dialog=True,
        deferred=True,
        dialog_size="modal-lg",
    ),
    Command(
        "cancel",
        "Cancel Invoice",
        "cancel",
        lambda d, u, x: services.invoice_cancel(invoice=d, by=u, expected_version=_v(x)),
        "Invoice canceled.",
        style="outline-danger",
        confirm="Cancel this invoice? A canceled invoice keeps its number and can't be reopened.",
    ),
    STATUS_REASON,
    ASSIGN,
)

# A credit note is issued whole by Create Credit Note and never edited (PDF and email: another change).
CREDIT_NOTE_COMMANDS = (ASSIGN,)


@dataclass(frozen=True)
class Kind:
    slug: str  # URL name prefix
    model: type[PricedDocument]
    title: str  # list title
    noun: str  # "invoice"
    commands: Sequence[Command]
    open_states: tuple[int, ...]
    has_number: bool = True
    read_only: bool = False  # no New, no line screens: made by a command of another record
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Who may run a command is the lifecycle table's word (states.py), not the command bar's.
        lifecycle = self.model.lifecycle
        commands = tuple(
            replace(
                c,
                manager_only=lifecycle.role(c.action) is Role.MANAGER,
                owner_only=lifecycle.role(c.action) is Role.OWNER,
            )
            for c in self.commands
        )
        object.__setattr__(self, "commands", commands)

    def url_name(self, view: str) -> str:
        """The URL name of one of this kind's screens or commands, as spelled in sales/urls.py:
        url_name("detail") == "invoice_detail", url_name("create-invoice") == "order_create_invoice"."""
        return f"{self.slug}_{view.replace('-', '_')}"

    def url(self, document: Any) -> str:
        return reverse(self.url_name("detail"), args=[document.pk])

    def list_url(self) -> str:
        return reverse(self.url_name("list"))

    def create_url(self) -> str:
        return reverse(self.url_name("create"))

    def line_url(self, view: str, document: Any, line_pk: Any = None) -> str:
        """line_add, line_edit or line_delete of one document (the last two name a line)."""
        args = [document.pk] if line_pk is None else [document.pk, line_pk]
        return reverse(self.url_name(view), args=args)

    def command_url(self, command: Command, document: Any) -> str:
        return reverse(self.url_name(command.name), args=[document.pk])

    def command(self, name: str) -> Command:
        return next(c for c in self.commands if c.name == name)


OPPORTUNITY = Kind(
    "opportunity",
    Opportunity,
    "Opportunities",
    "opportunity",
    OPPORTUNITY_COMMANDS,
    open_states=(OpportunityState.OPEN,),
    has_number=False,
)
QUOTE = Kind(
    "quote",
    Quote,
    "Quotes",
    "quote",
    QUOTE_COMMANDS,
    open_states=(QuoteState.DRAFT, QuoteState.ACTIVE),
)
ORDER = Kind(
    "order",
    SalesOrder,
    "Orders",
    "order",
    ORDER_COMMANDS,
    open_states=(OrderState.ACTIVE, OrderState.SUBMITTED),
)
INVOICE = Kind(
    "invoice",
    Invoice,
    "Invoices",
    "invoice",
    INVOICE_COMMANDS,
    open_states=(InvoiceState.ACTIVE,),
)

CREDIT_NOTE = Kind(
    "creditnote",
    CreditNote,
    "Credit Notes",
    "credit note",
    CREDIT_NOTE_COMMANDS,
    open_states=(CreditNoteState.ISSUED,),
    read_only=True,
)

KINDS = (OPPORTUNITY, QUOTE, ORDER, INVOICE, CREDIT_NOTE)
KIND_OF_MODEL = {k.model: k for k in KINDS}
KIND_OF_TYPE = {k.model.kind: k for k in KINDS}  # a timeline's document_type → its Kind


def url_of(document: Any) -> str:
    return KIND_OF_MODEL[type(document)].url(document)
