"""Create documents, change their header, copy them into one another (SPEC §2, §5, §7)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from salesapp.catalog.models import Currency, PriceList
from salesapp.core.addresses import ADDRESS_PARTS, address_fields
from salesapp.core.exceptions import ValidationFailed, from_django_validation
from salesapp.core.models import OrganizationSettings
from salesapp.core.numbering import next_number
from salesapp.customers.models import Account, Contact
from salesapp.sales import figures
from salesapp.sales.models import (
    LINE_MODELS,
    PAYMENT_TERM_DAYS,
    CreditNote,
    Invoice,
    PricedDocument,
    Quote,
    SalesDocument,
    SalesOrder,
    TimelineKind,
)

from .common import (
    D,
    PriceBook,
    PricingContext,
    ensure_active_products,
    lines_of,
    lock,
    price_line,
    record,
    record_changes,
    refresh_pricing,
    reprice_lines,
    require,
    save_totals,
    snapshot,
    today,
    touch,
    validate_header,
    validate_line,
)
from .lines import build_line

# Header fields a user may change while the document is editable, per document type.
COMMON_HEADER = (
    "name",
    "description",
    "contact",
    "price_list",
    "currency",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
)
SALES_HEADER = (
    *COMMON_HEADER,
    "payment_terms",
    "freight_terms",
    "shipping_method",
    *address_fields("billto", with_name=True),
    *address_fields("shipto", with_name=True),
)
EDITABLE_FIELDS: dict[type[PricedDocument], tuple[str, ...]] = {
    Quote: (*SALES_HEADER, "effective_from", "effective_to", "due_by", "requested_delivery_by"),
    SalesOrder: (*SALES_HEADER, "requested_delivery_by"),
    Invoice: (*SALES_HEADER, "invoice_date", "due_date"),
}
COPIED_HEADER = (
    "exchange_rate",  # kept by a locked copy; an unlocked one takes the currency's rate of now
    "customer_account",
    "customer_contact",
    "contact",
    "price_list",
    "currency",
    "name",
    "description",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
)
COPIED_SALES = (
    "payment_terms",
    "freight_terms",
    "shipping_method",
    *address_fields("billto", with_name=True),
    *address_fields("shipto", with_name=True),
)
COPIED_LINE = (
    "sequence",
    "product_id",
    "unit_id",
    "write_in_name",
    "is_price_overridden",
    "price_per_unit",
    "quantity",
    "volume_discount",
    "manual_discount",
    "tax",
    "tax_rate",
    "vat_category",
    "vat_exemption_reason",
    "amount",
    "extended_amount",
    "description",
    "pricing_error_code",
)
SEQUENCES: dict[type[PricedDocument], tuple[str, str]] = {
    Quote: ("quote", "quote_prefix"),
    SalesOrder: ("salesorder", "order_prefix"),
    Invoice: ("invoice", "invoice_prefix"),
    CreditNote: ("creditnote", "credit_note_prefix"),
}
NUMBER_FIELD: dict[type[PricedDocument], str] = {
    Quote: "quote_number",
    SalesOrder: "order_number",
    Invoice: "invoice_number",
    CreditNote: "credit_note_number",
}


def customer_fields(customer: Account | Contact) -> dict[str, Any]:
    if isinstance(customer, Account):
        return {"customer_account": customer, "customer_contact": None}
    if isinstance(customer, Contact):
        return {"customer_account": None, "customer_contact": customer}
    raise ValidationFailed("The customer must be an account or a contact.", field="customer")


def address_from_customer(customer: Account | Contact) -> dict[str, str]:
    """Bill-to from the customer's billing address, ship-to from its shipping address (else billing)."""
    name = customer.name
    bill = {f"billto_{p}": getattr(customer, f"address1_{p}") for p in ADDRESS_PARTS}
    ship_prefix = "address2" if isinstance(customer, Account) and customer.address2_line1 else "address1"
    ship = {f"shipto_{p}": getattr(customer, f"{ship_prefix}_{p}") for p in ADDRESS_PARTS}
    return {"billto_name": name, "shipto_name": name, **bill, **ship}


def resolve_pricing(
    customer: Account | Contact, price_list: PriceList | None, currency: Currency | None
) -> tuple[PriceList | None, Currency]:
    """No price list → the customer's default; no currency → the price list's, else the organization's."""
    if price_list is None:
        price_list = customer.default_price_list
        if price_list is None and isinstance(customer, Contact) and customer.account is not None:
            price_list = customer.account.default_price_list
        if price_list is not None and currency is not None and price_list.currency_id != currency.pk:
            price_list = None  # the customer's default is in another currency than the one asked for
    if currency is None:
        currency = price_list.currency if price_list else OrganizationSettings.load().default_currency
    if currency is None:
        raise ValidationFailed(
            "Choose a currency: there is no price list and no default currency.", field="currency"
        )
    check_price_list_currency(price_list, currency)
    return price_list, currency


def check_price_list_currency(price_list: PriceList | None, currency: Currency) -> None:
    if price_list is not None and price_list.currency_id != currency.pk:
        raise ValidationFailed(
            f"The price list {price_list.name} is in {price_list.currency.code}, not {currency.code}.",
            field="price_list",
        )


def check_fields(doc: PricedDocument) -> None:
    """Lengths, choices and the model's constraints, named by field, before the database sees them."""
    try:
        doc.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=True)
    except DjangoValidationError as exc:
        raise from_django_validation(exc, doc) from exc


def due_date_for(invoice_date: datetime.date | None, payment_terms: int | None) -> datetime.date | None:
    days = PAYMENT_TERM_DAYS.get(payment_terms) if payment_terms is not None else None
    if invoice_date is None or days is None:
        return None  # an unknown payment term is refused by check_fields, by name
    try:
        return invoice_date + datetime.timedelta(days=days)
    except OverflowError:  # past 9999-12-31, the last day a date can hold
        raise ValidationFailed(
            f"The Invoice Date {invoice_date.isoformat()} plus {days} days of payment terms falls after "
            "9999-12-31; choose an earlier Invoice Date.",
            field="invoice_date",
        ) from None


def new_document(model: type[D], *, by: Any, customer: Account | Contact, fields: dict[str, Any]) -> D:
    """Build, number and insert a document (no lines yet). Runs inside the caller's transaction."""
    fields = dict(fields)
    price_list, currency = resolve_pricing(
        customer, fields.pop("price_list", None), fields.pop("currency", None)
    )
    if not str(fields.get("name") or "").strip():
        raise ValidationFailed("Enter a name.", field="name")
    doc = model(
        owner=by if getattr(by, "pk", None) else None,
        **customer_fields(customer),
        price_list=price_list,
        currency=currency,
    )
    if issubclass(model, SalesDocument):
        for key, value in address_from_customer(customer).items():
            setattr(doc, key, value)
    for key, value in fields.items():
        setattr(doc, key, value)
    if model in SEQUENCES and not getattr(doc, NUMBER_FIELD[model]):
        sequence, prefix_field = SEQUENCES[model]
        setattr(
            doc,
            NUMBER_FIELD[model],
            next_number(sequence, getattr(OrganizationSettings.load(), prefix_field)),
        )
    if isinstance(doc, Invoice):  # model is Invoice
        doc.invoice_date = doc.invoice_date or today()
        doc.due_date = doc.due_date or due_date_for(doc.invoice_date, doc.payment_terms)
    # Read the revision now: the caller's price list object may be older than the items it prices.
    doc.priced_revision = (
        PriceList.objects.values_list("revision", flat=True).get(pk=price_list.pk) if price_list else 0
    )
    ctx = PricingContext.for_document(doc)
    validate_header(doc, ctx)  # field rules now; the pre-freight rule once lines are there
    check_fields(doc)
    doc.save(force_insert=True)
    figures.inserted(doc)
    return doc


@transaction.atomic
def document_create(
    model: type[D],
    *,
    by: Any,
    customer: Account | Contact,
    lines: Sequence[dict[str, Any]] = (),
    **fields: Any,
) -> D:
    """Create an opportunity, quote, order or invoice for a customer, with its lines if given.

    Each entry of `lines` holds the fields of one Quick Create (`build_line`); the lines follow the
    same rules as added one by one, in a number of queries that doesn't grow with them.
    """
    doc = new_document(model, by=by, customer=customer, fields=fields)
    ctx = PricingContext.for_document(doc)
    new_lines = []
    if lines:
        book = PriceBook.for_document(doc, [spec["product"].pk for spec in lines if spec.get("product")])
        for index, spec in enumerate(lines, start=1):
            spec = dict(spec)
            sequence = spec.pop("sequence", None) or index
            try:
                new_lines.append(build_line(doc, ctx, book, sequence=sequence, **spec))
            except ValidationFailed as exc:
                raise ValidationFailed(f"Line {index}: {exc.message}", field=exc.field) from exc
    save_totals(doc, new_lines, ctx)
    LINE_MODELS[model]._default_manager.bulk_create(new_lines)
    record(doc, TimelineKind.CREATED, f"Created {doc.lifecycle.noun} {doc.display_name}", by=by)
    return doc


@transaction.atomic
def document_update(document: D, *, by: Any, expected_version: int | None = None, **changes: Any) -> D:
    """Change header fields of an editable document; totals follow in the same transaction."""
    document = lock(document, expected_version=expected_version)
    require(document, "edit")
    allowed = EDITABLE_FIELDS.get(
        type(document),
        COMMON_HEADER + ("estimated_close_date", "estimated_value", "is_revenue_system_calculated"),
    )
    customer = changes.pop("customer", None)
    unknown = set(changes) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"The field {name} can't be changed here.", field=name)
    if "name" in changes and not str(changes["name"] or "").strip():
        raise ValidationFailed("Enter a name.", field="name")
    old_price_list_id = document.price_list_id
    old_currency_id = document.currency_id
    watched = [*changes, *(["customer"] if customer is not None else [])]
    if isinstance(document, Invoice):
        watched.append("due_date")  # follows the payment terms
    before = snapshot(document, dict.fromkeys(watched))
    if customer is not None:
        for key, value in customer_fields(customer).items():
            setattr(document, key, value)
    for key, value in changes.items():
        setattr(document, key, value)
    lines = lines_of(document)
    if document.currency_id != old_currency_id and lines:
        raise ValidationFailed("The currency can't change once the document has products.", field="currency")
    check_price_list_currency(document.price_list, document.currency)
    if isinstance(document, Invoice) and "payment_terms" in changes and "due_date" not in changes:
        document.due_date = due_date_for(document.invoice_date, document.payment_terms) or document.due_date
    ctx = PricingContext.for_document(document)
    if document.price_list_id != old_price_list_id:
        reprice_lines(document, lines, ctx, refresh_prices=not document.is_price_locked)
        document.priced_revision = document.price_list.revision if document.price_list else 0
    fields = [*changes, "priced_revision", "customer_account", "customer_contact"]
    if isinstance(document, Invoice):
        fields.append("due_date")
    validate_header(document, ctx)
    check_fields(document)
    save_totals(document, lines, ctx, extra_fields=fields)
    record_changes(document, before, by=by)
    return document


@transaction.atomic
def document_set_status(*, document: D, by: Any, status: int, expected_version: int | None = None) -> D:
    """Change the status reason within the current state (an opportunity On Hold, an order Pending,
    an invoice Billed…): the lifecycle table's `set_status` row says which."""
    document = lock(document, expected_version=expected_version)
    old_status, old = document.status, document.status_label
    require(document, "set_status")
    document.lifecycle.apply(document, "set_status", status)
    if document.status != old_status:
        touch(document, "status")
        record(document, TimelineKind.STATE_CHANGED, f"Status reason {old} → {document.status_label}", by=by)
    return document


def copy_document(source: PricedDocument, model: type[D], *, by: Any, extra: dict[str, Any]) -> D:
    """Copy header and every line of `source` into a new `model` document (SPEC §5).

    Runs in the caller's transaction, on a source the caller has locked; a constant number of queries
    whatever the number of lines. The source is repriced first if the catalog moved (SPEC §6), and
    only Active products are copied (SPEC §5).
    """
    refresh_pricing(source, by=by)
    source_lines = lines_of(source)
    ensure_active_products(source_lines)
    fields = {name: getattr(source, name) for name in COPIED_HEADER}
    if isinstance(source, SalesDocument) and issubclass(model, SalesDocument):
        fields.update({name: getattr(source, name) for name in COPIED_SALES})
    customer = source.customer
    fields.pop("customer_account")
    fields.pop("customer_contact")
    fields.update(extra)
    target = new_document(model, by=by, customer=customer, fields=fields)
    line_model = LINE_MODELS[model]
    new_lines = [
        line_model(**{line_model.parent_field: target}, **{name: getattr(line, name) for name in COPIED_LINE})
        for line in source_lines
    ]
    line_model._default_manager.bulk_create(new_lines)
    ctx = PricingContext.for_document(target)
    target.priced_revision = source.priced_revision if source.price_list_id == target.price_list_id else 0
    save_totals(target, new_lines, ctx, extra_fields=["priced_revision"])
    return target


def link_events(source: PricedDocument, target: PricedDocument, *, by: Any) -> None:
    record(
        target,
        TimelineKind.CONVERTED_FROM,
        f"Created from {source.lifecycle.noun} {source.display_name}",
        by=by,
        source_type=source.kind,
        source_id=str(source.pk),
    )
    record(
        source,
        TimelineKind.CONVERTED_TO,
        f"{target.lifecycle.noun.capitalize()} {target.display_name} created",
        by=by,
        target_type=target.kind,
        target_id=str(target.pk),
    )


@transaction.atomic
def get_products(*, document: D, opportunity: Any, by: Any, expected_version: int | None = None) -> D:
    """Get Products: append an opportunity's products to an editable quote / order / invoice.

    Catalog lines on Use Default take the document's current price-list price (a locked document
    then keeps it); overridden and write-in lines keep their typed price. Currencies must match.
    """
    document = lock(document, expected_version=expected_version)
    require(document, "edit")
    if opportunity.currency_id != document.currency_id:
        raise ValidationFailed(
            f"The opportunity is in {opportunity.currency.code} and this {document.lifecycle.noun} in "
            f"{document.currency.code}: currencies must match.",
            field="opportunity",
        )
    refresh_pricing(document, by=by)
    opportunity = refresh_pricing(lock(opportunity), by=by)
    source_lines = lines_of(opportunity)
    if not source_lines:
        raise ValidationFailed("That opportunity has no products.", field="opportunity")
    ensure_active_products(source_lines)
    ctx = PricingContext.for_document(document)
    existing = lines_of(document)
    start = max((x.sequence for x in existing), default=0)
    line_model = LINE_MODELS[type(document)]
    book = PriceBook.for_document(document, [x.product_id for x in source_lines])
    new_lines = []
    for offset, line in enumerate(source_lines, start=1):
        copy = line_model(**{line_model.parent_field: document}, **{n: getattr(line, n) for n in COPIED_LINE})
        copy.sequence = start + offset
        copy.product, copy.unit = line.product, line.unit
        if copy.product_id is not None:
            price_line(copy, book, ctx, refresh_price=True, strict=True)
        validate_line(copy, book, ctx)
        new_lines.append(copy)
    all_lines = [*existing, *new_lines]
    save_totals(document, all_lines, ctx)
    line_model._default_manager.bulk_create(new_lines)
    record(
        document,
        TimelineKind.PRODUCTS_ADDED,
        f"Got {len(new_lines)} products from opportunity {opportunity.name}",
        by=by,
        opportunity_id=str(opportunity.pk),
    )
    return document
