"""The D365 actions of WEBAPI.md, bound and unbound. Each one calls the service behind the screen's
button; this module only checks the parameters and shapes the answer."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse

from salesapp.core.exceptions import ValidationFailed
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder
from salesapp.sales.states import INVOICE, OPPORTUNITY, ORDER, QUOTE, Lifecycle, Role

from . import records
from .entities import BY_LOGICAL, BY_SET, Entity
from .errors import RULE_CODE, ApiError, bad_request, not_found
from .responses import base_url, json_response, no_content
from .values import parse_bind, parse_guid
from .writers import require_manager


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # guid | columnset | entity:<logical> | integer | string | date | opportunityref
    required: bool = True


@dataclass(frozen=True)
class Action:
    name: str
    params: tuple[Param, ...]
    run: Callable[..., Any]
    returns: str | None = None  # logical name of the returned entity
    bound_to: str | None = None  # entity set for bound actions
    description: str = ""
    rule: tuple[Lifecycle, str] | None = None  # the lifecycle row it runs: who may, where it leads
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def manager_only(self) -> bool:
        return self.rule is not None and self.rule[0].role(self.rule[1]) is Role.MANAGER


def _get(model: type, key: Any, what: str) -> Any:
    row = model.objects.filter(pk=key).first()
    if row is None:
        raise not_found(f"{what} {key} does not exist.")
    return row


def _columns(entity: Entity, value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request('ColumnSet must be {"AllColumns": true} or {"Columns": ["name", …]}.')
    unknown = set(value) - {"AllColumns", "Columns", "@odata.type"}
    if unknown:
        raise bad_request(f"ColumnSet has no property {sorted(unknown)[0][:60]!r}.")
    if value.get("AllColumns") is True:
        return None
    columns = value.get("Columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise bad_request('ColumnSet must be {"AllColumns": true} or {"Columns": ["name", …]}.')
    for name in columns:
        if name != entity.key and entity.attr(name) is None and entity.lookup(name) is None:
            raise bad_request(f"ColumnSet: {entity.logical} has no attribute {name[:60]!r}.")
    return columns


def _record(
    value: Any, name: str, bind: str, target: str, allowed: set[str]
) -> tuple[uuid.UUID, dict[str, Any]]:
    """An activity record parameter (QuoteClose, OpportunityClose, OrderClose) → the bound GUID + fields."""
    if not isinstance(value, dict):
        raise bad_request(f'{name} must be an object like {{"{bind}@odata.bind": "/{target}(<guid>)"}}.')
    unknown = set(value) - {f"{bind}@odata.bind", "@odata.type", *allowed}
    if unknown:
        raise bad_request(f"{name} has no property {sorted(unknown)[0][:60]!r}.")
    key = parse_bind(bind, value.get(f"{bind}@odata.bind"), target)
    if key is None:
        raise bad_request(f"{name} needs {bind}@odata.bind.")
    return key, value


def _status(value: Any, lifecycle: Lifecycle, action: str) -> int:
    """The Status parameter of a close message: -1 (the default) or one the lifecycle table allows."""
    allowed = [value for value, _ in lifecycle.reason_choices(action)]
    what = lifecycle.actions[action].message
    if value is None or value == -1:
        return allowed[0]
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise bad_request(f"Status for {what} must be -1 (default) or one of {', '.join(map(str, allowed))}.")
    return value


def _text(record: dict[str, Any], name: str, limit: int = 2000) -> str:
    value = record.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise bad_request(f"{name} must be a string of at most {limit} characters.")
    return value


def _date(record: dict[str, Any], name: str) -> datetime.date | None:
    value = record.get(name)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return datetime.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise bad_request(f"{name} must be a date (YYYY-MM-DD).") from exc


def _money(record: dict[str, Any], name: str) -> Any:
    from decimal import Decimal

    value = record.get(name)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | Decimal)
        or not Decimal(value).is_finite()
        or abs(Decimal(value)) > 10**12
    ):
        raise bad_request(f"{name} must be a number within ±1,000,000,000,000.")
    return Decimal(value)


# --- handlers ---------------------------------------------------------------------------------------


def generate(model: type, service: Callable[..., Any]) -> Callable[..., Any]:
    def run(params: dict[str, Any], user: Any, target: Any = None) -> Any:
        opp = _get(Opportunity, parse_guid(params["OpportunityId"], "OpportunityId"), "opportunity")
        return service(opportunity=opp, by=user)

    return run


def convert_quote(params: dict[str, Any], user: Any, target: Any = None) -> Any:
    quote = _get(Quote, parse_guid(params["QuoteId"], "QuoteId"), "quote")
    status = params.get("QuoteCloseStatus")
    if status not in (None, -1, *QUOTE.reasons[QUOTE.actions["convert"].target]):
        raise bad_request("QuoteCloseStatus must be -1 or 4 (Won): the quote is won by the conversion.")
    return services.quote_create_order(
        quote=quote,
        by=user,
        close_date=_date(params, "QuoteCloseDate"),
        subject=_text(params, "QuoteCloseSubject", 200),
        description=_text(params, "QuoteCloseDescription"),
    )


def convert_order(params: dict[str, Any], user: Any, target: Any = None) -> Any:
    order = _get(SalesOrder, parse_guid(params["SalesOrderId"], "SalesOrderId"), "salesorder")
    return services.order_create_invoice(order=order, by=user)


def revise_quote(params: dict[str, Any], user: Any, target: Any = None) -> Any:
    quote = _get(Quote, parse_guid(params["QuoteId"], "QuoteId"), "quote")
    return services.quote_revise(quote=quote, by=user)


def win_quote(params: dict[str, Any], user: Any, target: Any = None) -> None:
    key, rec = _record(
        params["QuoteClose"], "QuoteClose", "quoteid", "quotes", {"subject", "description", "actualend"}
    )
    _status(params.get("Status"), QUOTE, "win")
    services.quote_win(quote=_get(Quote, key, "quote"), by=user, **_close_fields(rec))


def close_quote(params: dict[str, Any], user: Any, target: Any = None) -> None:
    key, rec = _record(
        params["QuoteClose"], "QuoteClose", "quoteid", "quotes", {"subject", "description", "actualend"}
    )
    status = _status(params.get("Status"), QUOTE, "close")
    services.quote_close(
        quote=_get(Quote, key, "quote"),
        by=user,
        status=status,
        **_close_fields(rec),
    )


def _close_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """A close activity's subject, description and actual end, as the close services take them."""
    return {
        "subject": _text(rec, "subject", 200),
        "description": _text(rec, "description"),
        "close_date": _date(rec, "actualend"),
    }


OPP_CLOSE = {"subject", "description", "actualend", "actualrevenue", "competitorid"}


def win_opportunity(params: dict[str, Any], user: Any, target: Any = None) -> None:
    key, rec = _record(
        params["OpportunityClose"], "OpportunityClose", "opportunityid", "opportunities", OPP_CLOSE
    )
    _status(params.get("Status"), OPPORTUNITY, "win")
    services.opportunity_win(
        opportunity=_get(Opportunity, key, "opportunity"),
        by=user,
        actual_revenue=_money(rec, "actualrevenue"),
        **_close_fields(rec),
    )


def lose_opportunity(params: dict[str, Any], user: Any, target: Any = None) -> None:
    key, rec = _record(
        params["OpportunityClose"], "OpportunityClose", "opportunityid", "opportunities", OPP_CLOSE
    )
    status = _status(params.get("Status"), OPPORTUNITY, "lose")
    services.opportunity_lose(
        opportunity=_get(Opportunity, key, "opportunity"),
        by=user,
        status=status,
        competitor=_text(rec, "competitorid", 200),
        **_close_fields(rec),
    )


def fulfill_order(params: dict[str, Any], user: Any, target: Any = None) -> None:
    key, rec = _record(
        params["OrderClose"],
        "OrderClose",
        "salesorderid",
        "salesorders",
        {"subject", "description", "actualend"},
    )
    status = _status(params.get("Status"), ORDER, "fulfill")
    services.order_fulfill(
        order=_get(SalesOrder, key, "salesorder"),
        by=user,
        status=status,
        date_fulfilled=_date(rec, "actualend"),
        subject=_text(rec, "subject", 200),
        description=_text(rec, "description"),
    )


def cancel_order(params: dict[str, Any], user: Any, target: Any = None) -> None:
    key, rec = _record(
        params["OrderClose"],
        "OrderClose",
        "salesorderid",
        "salesorders",
        {"subject", "description", "actualend"},
    )
    _status(params.get("Status"), ORDER, "cancel")
    order = _get(SalesOrder, key, "salesorder")
    services.order_cancel(
        order=order,
        by=user,
        canceled_on=_date(rec, "actualend"),
        reason=_text(rec, "description"),
        subject=_text(rec, "subject", 200),
    )


def get_products(params: dict[str, Any], user: Any, target: Any = None) -> None:
    ref = params["Opportunity"]
    if (
        not isinstance(ref, dict)
        or not set(ref) <= {"opportunityid", "@odata.type"}
        or "opportunityid" not in ref
    ):
        raise bad_request('Opportunity must be {"opportunityid": "<guid>"}.')
    opp = _get(Opportunity, parse_guid(ref["opportunityid"], "Opportunity.opportunityid"), "opportunity")
    services.get_products(document=target, opportunity=opp, by=user)


def lock_pricing(params: dict[str, Any], user: Any, target: Any = None) -> None:
    services.lock_pricing(document=target, by=user)


def send_by_email(params: dict[str, Any], user: Any, target: Any = None) -> Any:
    """(ours) Send by Email: the same queued delivery as the screen's dialog; defaults as there."""
    from salesapp.documents import services as documents

    defaults = documents.compose_defaults(target)
    values = {}
    for name in ("To", "Cc", "Subject", "Body"):
        value = params.get(name, defaults[name.lower()])
        if isinstance(value, list) and name in ("To", "Cc") and all(isinstance(x, str) for x in value):
            value = ", ".join(value)
        if not isinstance(value, str):
            raise bad_request(
                f"{name} must be a string" + (" or a list of addresses." if name in ("To", "Cc") else ".")
            )
        values[name.lower()] = value
    # delivery_queue checks the lifecycle's `email` row and the role, as for the screens
    return documents.delivery_queue(document=target, by=user, **values)


MAX_CREDIT_LINES = 500
LINE_KEYS = {"invoicedetailid", "quantity", "@odata.type"}
# The service's field names → the action's parameter names (errors name what the client sent).
CREDIT_PARAMS = {"lines": "Lines", "reason": "Reason", "credit_date": "CreditDate"}


def _credit_lines(value: Any) -> list[dict[str, Any]] | None:
    """`Lines` → the service's `[{"invoice_detail": <guid>, "quantity": Decimal | None}]` (None: all)."""
    from decimal import Decimal

    if value is None:
        return None
    if not isinstance(value, list) or not value or len(value) > MAX_CREDIT_LINES:
        raise bad_request(
            f'Lines must be a list of 1 to {MAX_CREDIT_LINES} objects like {{"invoicedetailid": "<guid>", '
            '"quantity": 2}; leave it out to credit everything left.'
        )
    out = []
    for index, item in enumerate(value):
        where = f"Lines[{index}]"
        if not isinstance(item, dict):
            raise bad_request(
                f'{where} must be an object like {{"invoicedetailid": "<guid>", "quantity": 2}}.'
            )
        unknown = set(item) - LINE_KEYS
        if unknown:
            raise bad_request(f"{where} has no property {sorted(unknown)[0][:60]!r}.")
        if item.get("invoicedetailid") is None:
            raise bad_request(f"{where}.invoicedetailid is required.")
        key = parse_guid(item["invoicedetailid"], f"{where}.invoicedetailid")
        quantity = item.get("quantity")
        if quantity is not None and (
            isinstance(quantity, bool)
            or not isinstance(quantity, int | Decimal)
            or not Decimal(quantity).is_finite()
            or abs(Decimal(quantity)) > 10**12
        ):
            raise bad_request(f"{where}.quantity must be a number (leave it out for all that is left).")
        out.append({"invoice_detail": key, "quantity": None if quantity is None else Decimal(quantity)})
    return out


def create_credit_note(params: dict[str, Any], user: Any, target: Any = None) -> Any:
    """(ours) Create Credit Note: the same service as the screen's dialog."""
    for name in CREDIT_PARAMS.values():
        if name in params and params[name] is None:
            raise bad_request(f"{name} can't be null: leave it out for the default.")
    lines = _credit_lines(params.get("Lines"))
    reason = _text(params, "Reason")
    if "\x00" in reason:
        raise bad_request("Reason can't contain NUL characters.")
    credit_date = None
    if "CreditDate" in params:
        value = params["CreditDate"]
        try:
            credit_date = datetime.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            credit_date = None
        if credit_date is None or len(value) != 10:
            raise bad_request("CreditDate must be a date (YYYY-MM-DD).")
    try:
        return services.credit_note_create(
            invoice=target, by=user, lines=lines, reason=reason, credit_date=credit_date
        )
    except ValidationFailed as exc:
        field = exc.field or ""
        head, dot, rest = field.partition("[")
        name = CREDIT_PARAMS.get(head, head) + (dot + rest if dot else "")
        raise ApiError(400, f"{name}: {exc.message}" if name else exc.message, code=RULE_CODE) from exc


def unlock(model: type, param: str) -> Callable[..., None]:
    def run(params: dict[str, Any], user: Any, target: Any = None) -> None:
        doc = _get(model, parse_guid(params[param], param), model._meta.model_name)
        services.use_current_pricing(document=doc, by=user)

    return run


COLUMNSET = Param("ColumnSet", "columnset", required=False)
# The parameters of Send by Email, the same for every document (the screen's dialog).
EMAIL_PARAMS = (
    Param("To", "addresses", False),
    Param("Cc", "addresses", False),
    Param("Subject", "string", False),
    Param("Body", "string", False),
)

ACTIONS: tuple[Action, ...] = (
    Action(
        "GenerateQuoteFromOpportunity",
        (Param("OpportunityId", "guid"), COLUMNSET),
        generate(Quote, services.opportunity_generate_quote),
        returns="quote",
        description="A Draft quote with the opportunity's products.",
    ),
    Action(
        "GenerateSalesOrderFromOpportunity",
        (Param("OpportunityId", "guid"), COLUMNSET),
        generate(SalesOrder, services.opportunity_generate_order),
        returns="salesorder",
        description="An Active, unlocked order with the opportunity's products.",
    ),
    Action(
        "GenerateInvoiceFromOpportunity",
        (Param("OpportunityId", "guid"), COLUMNSET),
        generate(Invoice, services.opportunity_generate_invoice),
        returns="invoice",
        description="An Active, unlocked invoice with the opportunity's products.",
    ),
    Action(
        "ConvertQuoteToSalesOrder",
        (
            Param("QuoteId", "guid"),
            COLUMNSET,
            Param("QuoteCloseDate", "date", False),
            Param("QuoteCloseStatus", "integer", False),
            Param("QuoteCloseSubject", "string", False),
            Param("QuoteCloseDescription", "string", False),
        ),
        convert_quote,
        returns="salesorder",
        description="A locked order; the quote becomes Won.",
    ),
    Action(
        "ConvertSalesOrderToInvoice",
        (Param("SalesOrderId", "guid"), COLUMNSET),
        convert_order,
        returns="invoice",
        description="A locked invoice; the order becomes Invoiced.",
    ),
    Action(
        "ReviseQuote",
        (Param("QuoteId", "guid"), COLUMNSET),
        revise_quote,
        returns="quote",
        description="Closes the Active quote as Revised and returns the new Draft revision.",
    ),
    Action(
        "WinQuote",
        (Param("QuoteClose", "entity:quoteclose"), Param("Status", "integer", False)),
        win_quote,
        rule=(QUOTE, "win"),
        description="Active → Won.",
    ),
    Action(
        "CloseQuote",
        (Param("QuoteClose", "entity:quoteclose"), Param("Status", "integer", False)),
        close_quote,
        rule=(QUOTE, "close"),
        description="Active → Closed (6 Canceled, 5 Lost or 7 Revised).",
    ),
    Action(
        "WinOpportunity",
        (Param("OpportunityClose", "entity:opportunityclose"), Param("Status", "integer", False)),
        win_opportunity,
        rule=(OPPORTUNITY, "win"),
        description="Open → Won.",
    ),
    Action(
        "LoseOpportunity",
        (Param("OpportunityClose", "entity:opportunityclose"), Param("Status", "integer", False)),
        lose_opportunity,
        rule=(OPPORTUNITY, "lose"),
        description="Open → Lost (4 Canceled or 5 Out-Sold).",
    ),
    Action(
        "FulfillSalesOrder",
        (Param("OrderClose", "entity:orderclose"), Param("Status", "integer", False)),
        fulfill_order,
        rule=(ORDER, "fulfill"),
        description="→ Fulfilled (100001 Complete or 100002 Partial).",
    ),
    Action(
        "CancelSalesOrder",
        (Param("OrderClose", "entity:orderclose"), Param("Status", "integer", False)),
        cancel_order,
        rule=(ORDER, "cancel"),
        description="→ Canceled (Sales manager only).",
    ),
    Action(
        "GetQuoteProductsFromOpportunity",
        (Param("Opportunity", "opportunityref"),),
        get_products,
        bound_to="quotes",
        description="Append the opportunity's products to the Draft quote.",
    ),
    Action(
        "GetSalesOrderProductsFromOpportunity",
        (Param("Opportunity", "opportunityref"),),
        get_products,
        bound_to="salesorders",
        description="Append the opportunity's products to the Active order.",
    ),
    Action(
        "GetInvoiceProductsFromOpportunity",
        (Param("Opportunity", "opportunityref"),),
        get_products,
        bound_to="invoices",
        description="Append the opportunity's products to the Active invoice.",
    ),
    Action("LockSalesOrderPricing", (), lock_pricing, bound_to="salesorders", description="Lock Pricing."),
    Action("LockInvoicePricing", (), lock_pricing, bound_to="invoices", description="Lock Pricing."),
    Action(
        "SendInvoiceByEmail",
        EMAIL_PARAMS,
        send_by_email,
        returns="delivery",
        bound_to="invoices",
        description="(ours) Queue the invoice PDF by email, as the screen does: 202 with the delivery.",
    ),
    Action(
        "CreateCreditNote",
        (
            Param("Lines", "creditlines", False),
            Param("Reason", "string", False),
            Param("CreditDate", "date", False),
        ),
        create_credit_note,
        returns="creditnote",
        bound_to="invoices",
        rule=(INVOICE, "credit"),
        description="(ours) Credit all (no Lines) or some of the invoice's lines; returns the credit note. "
        "Sales manager only.",
    ),
    # (h3docs) SendCreditNoteByEmail is bound to "creditnotes" like SendInvoiceByEmail above; the
    # credit note PDF is served by document_pdf (PDF_SETS) in `bound`.
    Action(
        "UnlockSalesOrderPricing",
        (Param("SalesOrderId", "guid"),),
        unlock(SalesOrder, "SalesOrderId"),
        description="Use Current Pricing: unlock and reprice now.",
    ),
    Action(
        "UnlockInvoicePricing",
        (Param("InvoiceId", "guid"),),
        unlock(Invoice, "InvoiceId"),
        description="Use Current Pricing: unlock and reprice now.",
    ),
    Action(
        "SendCreditNoteByEmail",
        EMAIL_PARAMS,
        send_by_email,
        returns="delivery",
        bound_to="creditnotes",
        description="(ours) Queue the credit note PDF by email, as the screen does: 202 with the delivery.",
    ),
    Action(
        "SendQuoteByEmail",
        EMAIL_PARAMS,
        send_by_email,
        returns="delivery",
        bound_to="quotes",
        description="(ours) Queue the quote PDF by email, as the screen does: 202 with the delivery. "
        "An Active or Won quote only.",
    ),
    Action(
        "SendSalesOrderByEmail",
        EMAIL_PARAMS,
        send_by_email,
        returns="delivery",
        bound_to="salesorders",
        description="(ours) Queue the order confirmation PDF by email, as the screen does: 202 with the "
        "delivery. Not a canceled order.",
    ),
)
UNBOUND = {a.name: a for a in ACTIONS if a.bound_to is None}
BOUND = {(a.bound_to, a.name): a for a in ACTIONS if a.bound_to}


def _check_params(action: Action, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"The body of {action.name} must be a JSON object of its parameters.")
    known = {p.name for p in action.params}
    unknown = set(body) - known
    if unknown:
        raise bad_request(f"{action.name} has no parameter {sorted(unknown)[0][:60]!r}.")
    for param in action.params:
        if param.required and body.get(param.name) is None:
            raise bad_request(f"{action.name} needs the parameter {param.name}.")
    return body


def _answer(request: HttpRequest, action: Action, params: dict[str, Any], result: Any) -> HttpResponse:
    if action.returns is None:
        return no_content()
    if action.returns == "delivery":
        return json_response({"deliveryid": result.pk, "state": result.state}, status=202)
    entity = BY_LOGICAL[action.returns]
    columns = _columns(entity, params.get("ColumnSet"))
    obj = records.queryset(entity).get(pk=result.pk)
    body = {
        "@odata.context": f"{base_url(request)}$metadata#{entity.set_name}/$entity",
        "@odata.type": f"#Microsoft.Dynamics.CRM.{entity.logical}",
        **records.serialize(entity, obj, columns),
    }
    return json_response(body)


def unbound(request: HttpRequest, name: str, body: Any, user: Any) -> HttpResponse:
    action = UNBOUND[name]
    params = _check_params(action, body)
    if action.returns:
        _columns(BY_LOGICAL[action.returns], params.get("ColumnSet"))  # refuse a bad ColumnSet before acting
    if action.manager_only:
        require_manager(user, action.name)
    result = action.run(params, user)
    return _answer(request, action, params, result)


def bound(
    request: HttpRequest, entity: Entity, key: Any, rest: str, user: Any, read_body: Callable[..., Any]
) -> HttpResponse:
    name = rest.removeprefix("Microsoft.Dynamics.CRM.")
    if name == "pdf" and entity.set_name in PDF_SETS:
        return document_pdf(request, entity, key, user)
    if entity.set_name in FACTURX_SETS and name == "facturx.xml":
        return facturx_xml(request, entity, key, user)
    action = BOUND.get((entity.set_name, name))
    if action is None:
        raise not_found(f"{entity.set_name}(<id>) has no action or property {rest[:80]!r}.")
    if request.method != "POST":
        raise ApiError(405, f"{action.name} is an action: call it with POST.")
    target = entity.model.objects.filter(pk=key).first()
    if target is None:
        raise not_found(f"{entity.logical} with id {key} does not exist.")
    params = _check_params(action, read_body(request, required=False))
    if action.manager_only:
        require_manager(user, action.rule[0].actions[action.rule[1]].label if action.rule else action.name)
    result = action.run(params, user, target)
    return _answer(request, action, params, result)


# (ours) The entity sets whose records have a PDF, `GET <set>(<id>)/pdf`, and what the PDF is called.
PDF_SETS = {
    "quotes": "quote",
    "salesorders": "order confirmation",
    "invoices": "invoice",
    "creditnotes": "credit note",
}


def document_pdf(request: HttpRequest, entity: Entity, key: Any, user: Any) -> HttpResponse:
    """(ours) GET <set>(<id>)/pdf of any set in PDF_SETS: the stored PDF, rendered first if the document
    changed since (as the screens' Download PDF)."""
    from salesapp.documents import services as documents

    noun = PDF_SETS[entity.set_name]
    if request.method != "GET":
        raise ApiError(405, f"The {noun} PDF is read with GET.")
    document = _get(entity.model, key, entity.logical)
    response = HttpResponse(documents.document_pdf(document, by=user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.pdf_filename(document)}"'
    return response


ACTION_SETS = {a.name: (BY_SET[a.bound_to] if a.bound_to else None) for a in ACTIONS}
FACTURX_SETS = ("invoices", "creditnotes")


def facturx_xml(request: HttpRequest, entity: Entity, key: Any, user: Any) -> HttpResponse:
    """(ours) GET invoices(<id>)/facturx.xml, creditnotes(<id>)/facturx.xml: the EN 16931 CII XML
    that the document's Factur-X PDF embeds; 400 with what to fix when it can't be a valid one."""
    from salesapp.documents import services as documents

    if request.method != "GET":
        raise ApiError(405, "The Factur-X XML is read with GET.")
    document = _get(entity.model, key, entity.logical)
    response = HttpResponse(documents.einvoice_xml(document, by=user), content_type="application/xml")
    response["Content-Disposition"] = (
        f'inline; filename="{documents.pdf_filename(document)[:-4]}-factur-x.xml"'
    )
    return response
