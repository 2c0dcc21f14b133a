"""Machinery every document service shares: locking, versions, timeline, pricing and totals.

Public entry points live in the per-document modules; these helpers assume they run inside the
caller's transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from salesapp import pricing
from salesapp.catalog.errors import as_validation_error
from salesapp.catalog.models import PriceList, PriceListItem, Product, ProductState, Unit
from salesapp.core import formatting as fmt
from salesapp.core.exceptions import ConcurrentChange, StateError, ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.sales import figures
from salesapp.sales.models import (
    LINE_MODELS,
    DocumentLine,
    Opportunity,
    PricedDocument,
    TimelineEvent,
    TimelineKind,
)
from salesapp.sales.timeline import money_of, repriced_text

ZERO = Decimal("0")
D = TypeVar("D", bound=PricedDocument)


@dataclass(frozen=True)
class PricingContext:
    price_places: int
    money_places: int
    method: pricing.DiscountMethod
    base_places: int = 2  # the base currency's precision: `_base` amounts are rounded to it

    @classmethod
    def for_document(cls, document: PricedDocument) -> PricingContext:
        org = OrganizationSettings.load()
        return cls(
            price_places=org.pricing_precision,
            money_places=document.currency.precision,
            method=pricing.DiscountMethod(org.discount_calculation),
            base_places=base_places(org),
        )


def base_places(org: OrganizationSettings | None = None) -> int:
    base = (org or OrganizationSettings.load()).default_currency
    return base.precision if base is not None else 2


def require(document: PricedDocument, action: str) -> None:
    """Refuse `action` unless the record's state allows it and its own rules do (the one check that
    services, screens and the Web API share; `PricedDocument.can` asks the same two questions)."""
    document.lifecycle.require(action, document.state)
    why = document.refusal(action)
    if why:
        label = document.lifecycle.actions[action].label
        raise StateError(f"{label} isn't possible: {why}")


def set_base_amounts(document: PricedDocument, places: int) -> list[str]:
    """Fill the `_base` twins of the document's money columns from its exchange rate (SPEC §10)."""
    names = []
    for name in document.BASE_TWINS:
        setattr(
            document,
            f"{name}_base",
            pricing.to_base(Decimal(getattr(document, name)), document.exchange_rate, places),
        )
        names.append(f"{name}_base")
    return names


# --- locking, versions, timeline -------------------------------------------------------------


def lock(document: D, *, expected_version: int | None = None) -> D:
    """Re-read the document with a row lock; refuse if the caller saw an older version."""
    model = type(document)
    fresh = (
        model._default_manager.select_for_update(of=("self",))
        .select_related("currency", "price_list")
        .get(pk=document.pk)
    )
    if expected_version is not None and fresh.row_version != expected_version:
        raise ConcurrentChange(
            f"This {fresh.lifecycle.noun} changed after this page was loaded ({_last_change(fresh)}; "
            f"it is now {fresh.state_label}). Reload it to see the current values, then try again."
        )
    figures.remember(fresh)
    return fresh


def _last_change(document: Any) -> str:
    """Who changed the document last and when, from its timeline — which may be the reader, in
    another tab or by sending a form again after Back, so the message names them rather than
    blaming "someone else"."""
    event = (
        TimelineEvent.objects.filter(document_type=document.kind, document_id=document.pk)
        .select_related("actor")
        .first()
    )
    if event is None:
        return "changed meanwhile"
    who = (event.actor.get_full_name() or event.actor.get_username()) if event.actor else "the system"
    return f"last changed by {who}, {fmt.moment(event.at)}"


def touch(document: PricedDocument, *fields: str) -> None:
    """Save the given fields and bump the row version (and the invoice's PDF content version).

    The one place a document's state, owner, dates and totals are written: the dashboard's summary
    (salesapp.sales.figures) follows here, in the same transaction."""
    before = figures.before_write(document)
    document.row_version = F("row_version") + 1
    names = {"row_version", "modified_on", *fields}
    if hasattr(document, "content_version"):
        document.content_version = F("content_version") + 1
        names.add("content_version")
    document.save(update_fields=sorted(names))
    document.refresh_from_db(fields=[n for n in ("row_version", "content_version") if n in names])
    figures.written(document, before)


def record(
    document: PricedDocument, kind: str, summary: str, *, by: Any = None, **details: Any
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        document_type=document.kind,
        document_id=document.pk,
        actor=by if getattr(by, "pk", None) else None,
        kind=kind,
        summary=summary[:500],
        details=_jsonable(details),
    )


CHANGE_TEXT_MAX = 300  # a changed text (a description) is kept this long in the timeline


def field_value(record: Any, name: str) -> Any:
    """A field's value as the timeline stores it (of a document or of a line): a related record by its
    name (the name it had then), "customer" by the customer's, everything else as `_jsonable` stores
    it; rendered (labels, formats) when the timeline is read."""
    if name == "customer":
        return str(record.customer) if record.customer else None
    value = getattr(record, name)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, str):
        return value[:CHANGE_TEXT_MAX]
    return value


def snapshot(record: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: field_value(record, name) for name in names}


def record_changes(
    document: PricedDocument, before: dict[str, Any], *, by: Any, line: DocumentLine | None = None
) -> TimelineEvent | None:
    """Record an update of the document (or of one of its lines): the fields that changed, each with
    its value before and after, as data, so the current labels and the reader's locale say them.
    Nothing changed: nothing recorded."""
    changed: Any = line if line is not None else document
    changes = [
        {"field": name, "before": old, "after": new}
        for name, old in before.items()
        if old != (new := field_value(changed, name))
    ]
    if not changes:
        return None
    labels = ", ".join(changed.field_label(c["field"]) for c in changes)
    about = {} if line is None else {"line": line.product_name, "line_id": str(line.pk)}
    return record(
        document,
        TimelineKind.UPDATED,
        f"Changed {f'{line.product_name}: ' if line is not None else ''}{labels}",
        by=by,
        changes=[_jsonable(c) for c in changes],
        **about,
    )


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, Decimal | uuid.UUID):
            out[key] = str(value)
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif hasattr(value, "pk"):
            out[key] = str(value.pk)
        else:
            out[key] = value
    return out


def record_close(
    model: type[models.Model], document: PricedDocument, *, by: Any, subject: str = "", **fields: Any
) -> None:
    """Store the close activity of a quote, opportunity or order (quoteclose, opportunityclose,
    orderclose), as Dynamics 365 does when one is won, lost, canceled or fulfilled."""
    model._default_manager.create(
        owner=by if getattr(by, "pk", None) else None,
        subject=subject or f"{document.lifecycle.noun.capitalize()} {document.status_label}",
        status=document.status,
        **fields,
    )


def lines_of(document: PricedDocument) -> list[DocumentLine]:
    line_model = LINE_MODELS[type(document)]
    return list(
        line_model._default_manager.filter(**{line_model.parent_field: document})
        .select_related("product", "unit")
        .order_by("sequence", "created_on")
    )


# --- pricing -----------------------------------------------------------------------------------


class CatalogPricingError(ValidationFailed):
    """The catalog can't price a default-priced line (SPEC §3.6).

    Refused when a line is added (or given a new product or unit); on repricing an existing line,
    recorded on it as its `pricing_error_code` instead, and the line keeps its last price.
    """

    def __init__(self, message: str, *, code: int, field: str = "product") -> None:
        super().__init__(message, field=field)
        self.code = code


class PriceBook:
    """The price list items a set of lines needs, read in one query."""

    def __init__(self, price_list: PriceList | None, product_ids: Iterable[Any], currency_id: Any = None):
        self.price_list = price_list
        self.currency_mismatch = (
            price_list is not None and currency_id is not None and price_list.currency_id != currency_id
        )
        self.items: dict[tuple[Any, Any], PriceListItem] = {}
        ids = {pid for pid in product_ids if pid}
        if price_list is not None and ids:
            qs = (
                PriceListItem.objects.filter(price_list=price_list, product_id__in=ids)
                .select_related("product", "discount_list")
                .prefetch_related("discount_list__discounts")
            )
            self.items = {(item.product_id, item.unit_id): item for item in qs}

    @classmethod
    def for_document(cls, document: PricedDocument, product_ids: Iterable[Any]) -> PriceBook:
        return cls(document.price_list, product_ids, currency_id=document.currency_id)

    def item_for(self, product: Product, unit: Unit) -> PriceListItem:
        if self.price_list is None:
            raise CatalogPricingError(
                f"{product.name} can't be priced: the document has no price list. Choose a price list, "
                "or override the price.",
                code=pricing.PricingErrorCode.MISSING_PRICE_LIST,
            )
        if self.currency_mismatch:
            raise CatalogPricingError(
                f"{product.name} can't be priced: the price list {self.price_list.name} is in another "
                "currency than the document. Choose a price list in the document's currency.",
                code=pricing.PricingErrorCode.INVALID_PRICE_LIST_CURRENCY,
            )
        item = self.items.get((product.pk, unit.pk))
        if item is None:
            raise CatalogPricingError(
                f"{product.name} has no price in the price list {self.price_list.name} for the unit "
                f"{unit.name}. Add a price list item, or override the price.",
                code=pricing.PricingErrorCode.PRODUCT_NOT_IN_PRICE_LIST,
            )
        return item

    def price(self, item: PriceListItem, ctx: PricingContext) -> Decimal:
        product = item.product
        try:
            return pricing.price_from_item(
                method=pricing.PricingMethod(item.pricing_method),
                amount=item.amount,
                percentage=item.percentage,
                list_price=product.list_price,
                current_cost=product.current_cost,
                standard_cost=product.standard_cost,
                rounding_policy=pricing.RoundingPolicy(item.rounding_policy),
                rounding_option=pricing.RoundingOption(item.rounding_option)
                if item.rounding_option
                else None,
                rounding_amount=item.rounding_amount,
                precision=ctx.price_places,
            )
        except pricing.PricingError as exc:
            raise CatalogPricingError(
                f"{product.name} can't be priced from {self.price_list.name if self.price_list else 'its price list'}: "
                f"{exc.message}",
                code=exc.code or pricing.PricingErrorCode.INVALID_PRICE,
            ) from exc

    def volume_discount(
        self, item: PriceListItem | None, price_per_unit: Decimal, quantity: Decimal, ctx: PricingContext
    ) -> Decimal:
        if item is None or item.discount_list is None:
            return ZERO
        dl = item.discount_list
        tiers = [
            pricing.DiscountTier(
                begin=d.begin_quantity, end=d.end_quantity, percentage=d.percentage, amount=d.amount
            )
            for d in dl.discounts.all()
        ]
        return pricing.volume_discount_per_unit(
            price_per_unit=price_per_unit,
            quantity=quantity,
            tiers=tiers,
            is_amount_type=dl.is_amount_type,
            precision=ctx.price_places,
        )


def price_line(
    line: DocumentLine, book: PriceBook, ctx: PricingContext, *, refresh_price: bool, strict: bool = False
) -> None:
    """Set a catalog line's price per unit (when allowed) and its volume discount.

    Overridden and write-in lines keep their typed price. The volume discount follows the quantity
    on every catalog line, locked or not (SPEC §3.2). When the catalog can no longer price a
    default-priced line, `strict` (a line being added) refuses; otherwise the line keeps its last
    price and discount and carries the pricing error code (SPEC §3.6).
    """
    if line.product_id is None or line.is_price_overridden:
        line.volume_discount = ZERO
        line.pricing_error_code = pricing.PricingErrorCode.NONE
        return
    item = book.items.get((line.product_id, line.unit_id))
    if refresh_price:
        try:
            # A catalog line has both a product and a unit (the line model's check constraint).
            item = book.item_for(cast(Product, line.product), cast(Unit, line.unit))
            line.price_per_unit = book.price(item, ctx)
        except CatalogPricingError as exc:
            if strict:
                raise
            line.pricing_error_code = exc.code
            return
        line.pricing_error_code = pricing.PricingErrorCode.NONE
    if item is not None:  # a locked line whose item was since removed keeps what it had
        line.volume_discount = book.volume_discount(item, line.price_per_unit, line.quantity, ctx)


def quantity_rules(line: DocumentLine, book: PriceBook) -> tuple[int, bool]:
    if line.product is None:
        return 5, False
    item = book.items.get((line.product_id, line.unit_id))
    whole = item is not None and item.quantity_selling == pricing.QuantitySelling.WHOLE
    return line.product.quantity_decimals, whole


def validate_line(line: DocumentLine, book: PriceBook, ctx: PricingContext) -> None:
    decimals, whole = quantity_rules(line, book)
    try:
        pricing.validate_line(
            line_input(line),
            method=ctx.method,
            quantity_decimals=decimals,
            whole_only=whole,
            price_places=ctx.price_places,
            money_places=ctx.money_places,
        )
    except pricing.PricingError as exc:
        raise as_validation_error(exc) from exc


def line_input(line: DocumentLine) -> pricing.LineInput:
    return pricing.LineInput(
        price_per_unit=Decimal(line.price_per_unit),
        quantity=Decimal(line.quantity),
        volume_discount=Decimal(line.volume_discount),
        manual_discount=Decimal(line.manual_discount),
        tax=Decimal(line.tax),
        vat_category=line.vat_category or "",
        vat_rate=Decimal(line.tax_rate) if line.tax_rate is not None else None,
        vat_exemption_reason=line.vat_exemption_reason or "",
    )


LINE_TOTAL_FIELDS = ("price_per_unit", "volume_discount", "tax", "amount", "extended_amount")
HEADER_TOTAL_FIELDS = (
    "total_line_item_amount",
    "total_line_item_discount_amount",
    "header_percent_discount_amount",
    "total_discount_amount",
    "total_amount_less_freight",
    "total_tax",
    "total_amount",
)


def apply_tax_rate(line: DocumentLine, ctx: PricingContext) -> None:
    """(ours) A tax rate % on the line fills its tax from the discounted line amount."""
    tax = pricing.line_tax_from_rate(line_input(line), method=ctx.method, money_places=ctx.money_places)
    if tax is not None:
        line.tax = tax


def header_input(document: PricedDocument) -> pricing.HeaderInput:
    return pricing.HeaderInput(
        discount_percentage=Decimal(document.discount_percentage),
        discount_amount=Decimal(document.discount_amount),
        freight_amount=Decimal(document.freight_amount),
    )


def validate_header(document: PricedDocument, ctx: PricingContext) -> None:
    try:
        pricing.validate_header(header_input(document), money_places=ctx.money_places)
    except pricing.PricingError as exc:
        raise as_validation_error(exc) from exc


def compute_totals(
    document: PricedDocument, lines: Sequence[DocumentLine], ctx: PricingContext
) -> pricing.DocumentTotals:
    header = header_input(document)
    try:
        pricing.validate_header(header, money_places=ctx.money_places)
        return pricing.document_totals(
            [line_input(x) for x in lines], header, method=ctx.method, money_places=ctx.money_places
        )
    except pricing.PricingError as exc:
        raise as_validation_error(exc) from exc


def save_totals(
    document: PricedDocument,
    lines: Sequence[DocumentLine],
    ctx: PricingContext,
    *,
    extra_fields: Sequence[str] = (),
) -> pricing.DocumentTotals:
    """Recompute line and header totals, store what changed, bump the version."""
    for line in lines:
        apply_tax_rate(line, ctx)
    totals = compute_totals(document, lines, ctx)
    changed = []
    for line, result in zip(lines, totals.lines, strict=True):
        if (
            line.amount != result.amount
            or line.extended_amount != result.extended_amount
            or line._state.adding
        ):
            line.amount = result.amount
            line.extended_amount = result.extended_amount
            changed.append(line)
        else:
            line.amount, line.extended_amount = result.amount, result.extended_amount
    stored = [x for x in changed if not x._state.adding]
    if stored:
        type(stored[0])._default_manager.bulk_update(
            stored, [*LINE_TOTAL_FIELDS, "quantity", "manual_discount", "pricing_error_code"]
        )
    document.total_line_item_amount = totals.detail_amount
    document.total_line_item_discount_amount = totals.total_line_discount
    document.header_percent_discount_amount = totals.header_percent_discount
    document.total_discount_amount = totals.total_discount
    document.total_amount_less_freight = totals.pre_freight_amount
    document.total_tax = totals.total_tax
    document.total_amount = totals.total_amount
    document.pricing_error_code = next(
        (x.pricing_error_code for x in lines if x.pricing_error_code), totals.error_code
    )
    fields = [*HEADER_TOTAL_FIELDS, "pricing_error_code", *extra_fields]
    if isinstance(document, Opportunity) and document.is_revenue_system_calculated:
        document.estimated_value = totals.total_amount
        fields.append("estimated_value")
    if not document.is_price_locked:  # SPEC §10: prices set now, at the currency's rate of now
        document.exchange_rate = document.currency.exchange_rate
        document.priced_rate_revision = document.currency.rate_revision
        fields += ["exchange_rate", "priced_rate_revision"]
    fields += document.settle_balance()
    fields += set_base_amounts(document, ctx.base_places)
    touch(document, *fields)
    return totals


def reprice_lines(
    document: PricedDocument, lines: list[DocumentLine], ctx: PricingContext, *, refresh_prices: bool
) -> None:
    book = PriceBook.for_document(document, [x.product_id for x in lines])
    for line in lines:
        price_line(line, book, ctx, refresh_price=refresh_prices)
    model = LINE_MODELS[type(document)]
    if lines:
        model._default_manager.bulk_update(lines, ["price_per_unit", "volume_discount", "pricing_error_code"])


def reprice(document: D, *, by: Any = None, reason: str) -> D:
    """Reprice every default-priced catalog line from the document's price list and store totals.

    Writes a timeline event when the total changed.
    """
    ctx = PricingContext.for_document(document)
    lines = lines_of(document)
    before = pricing.round_half_up(Decimal(document.total_amount), ctx.money_places)
    reprice_lines(document, lines, ctx, refresh_prices=not document.is_price_locked)
    document.priced_revision = document.price_list.revision if document.price_list else 0
    save_totals(document, lines, ctx, extra_fields=["priced_revision"])
    if document.total_amount != before:
        facts: dict[str, Any] = {"reason": reason, "old_total": before, "new_total": document.total_amount}
        summary = repriced_text(money_of(document), **facts)
        record(document, TimelineKind.REPRICED, summary, by=by, **facts)
    return document


def needs_repricing(document: PricedDocument) -> bool:
    """An open, unlocked document whose price list or currency rate moved since it was priced."""
    if not document.is_editable or document.is_price_locked:
        return False
    if document.priced_rate_revision != document.currency.rate_revision:
        return True
    return document.price_list is not None and document.priced_revision != document.price_list.revision


def ensure_current_pricing(document: D, *, by: Any = None) -> D:
    """SPEC §6: an open, unlocked document shows the price list's current prices whenever it is
    viewed, edited, exported or emailed. Cheap when nothing changed (one comparison)."""
    if not needs_repricing(document):
        return document
    with transaction.atomic():
        fresh = lock(document)
        if needs_repricing(fresh):
            reprice(fresh, by=by, reason="the catalog, the pricing settings or the exchange rate changed")
        return fresh


def refresh_pricing(document: D, *, by: Any = None) -> D:
    """On a document the caller has locked: reprice it now if the catalog moved since (SPEC §6).

    Conversions, Get Products and issuing actions call this first, so a stale price is never
    copied, frozen into a locked document, or sent to a customer.
    """
    if needs_repricing(document):
        reprice(document, by=by, reason="the catalog, the pricing settings or the exchange rate changed")
    return document


def require_issuable(document: PricedDocument, action: str) -> None:
    """SPEC §3.6: a document with a pricing error can be edited, but not issued; say which line."""
    code = document.pricing_error_code
    if not code:
        return
    label = document.lifecycle.actions[action].label if action in document.lifecycle.actions else action
    lines = lines_of(document)
    broken = next((x for x in lines if x.pricing_error_code), None)
    if broken is None:
        error = pricing.PricingErrorCode(code)
        vat_line = (
            vat_error_line(document, lines)
            if error >= pricing.PricingErrorCode.MIXED_VAT_CATEGORIES
            else None
        )
        where = f" (line {vat_line.sequence}, {vat_line.product_name})" if vat_line is not None else ""
        raise ValidationFailed(
            f"{label} isn't possible: {error.description}{where}. {pricing.ERROR_ADVICE.get(error, '')}".strip(),
            field="lines" if vat_line is not None else "discount_amount",
        )
    raise ValidationFailed(
        f"{label} isn't possible: line {broken.sequence}, {broken.product_name}, has a pricing error "
        f"({pricing.PricingErrorCode(broken.pricing_error_code).description}). Override its price, change "
        "its unit, remove it, or fix the catalog.",
        field="lines",
    )


def vat_error_line(document: PricedDocument, lines: Sequence[DocumentLine]) -> DocumentLine | None:
    """The first line whose VAT keeps the document from a valid EN 16931 breakdown, if one is."""
    totals = compute_totals(document, lines, PricingContext.for_document(document))
    index = totals.vat.error_line if totals.vat is not None else None
    return lines[index] if index is not None else None


def ensure_active_products(lines: Iterable[DocumentLine]) -> None:
    """SPEC §5: only Active products enter a document, by every path."""
    for line in lines:
        if line.product is not None:
            ensure_active_product(line.product)


def next_sequence(document: PricedDocument) -> int:
    model = LINE_MODELS[type(document)]
    last = (
        model._default_manager.filter(**{model.parent_field: document})
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    return (last or 0) + 1


def ensure_active_product(product: Product) -> None:
    if product.state != ProductState.ACTIVE:
        raise ValidationFailed(
            f"{product.name} is {ProductState(product.state).label.lower()}; only active products can be added.",
            field="product",
        )


def today() -> datetime.date:
    return timezone.localdate()
