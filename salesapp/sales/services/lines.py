"""Products grid: add, change and remove lines on any editable document (SPEC §2, §3, §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from salesapp.catalog.models import Product, Unit
from salesapp.core import formatting as fmt
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales.models import LINE_MODELS, DocumentLine, PricedDocument, TimelineKind

from .common import (
    ZERO,
    PriceBook,
    PricingContext,
    ensure_active_product,
    lines_of,
    lock,
    next_sequence,
    price_line,
    record,
    record_changes,
    require,
    save_totals,
    snapshot,
    validate_line,
)

# What a line change shows besides the fields the user changed: the price and the line's total follow.
WATCHED = ("price_per_unit", "extended_amount")
LINE_FIELDS = (
    "product",
    "unit",
    "write_in_name",
    "is_price_overridden",
    "price_per_unit",
    "quantity",
    "manual_discount",
    "tax",
    "tax_rate",
    "vat_category",
    "vat_exemption_reason",
    "description",
    "sequence",
)


def _check_editable(document: PricedDocument) -> None:
    require(document, "edit")


def _resolve_unit(product: Product, unit: Unit | None) -> Unit:
    if unit is None:
        return product.default_unit
    if unit.group_id != product.unit_group_id:
        raise ValidationFailed(
            f"The unit {unit.name} is not in {product.name}'s unit group ({product.unit_group.name}).",
            field="unit",
        )
    return unit


def _prepare(
    document: PricedDocument,
    line: DocumentLine,
    ctx: PricingContext,
    book: PriceBook,
    *,
    price_typed: bool,
    refresh_price: bool,
    strict: bool,
) -> None:
    """Shared rules for a new or changed line: product state, locking, pricing, bad input."""
    line.vat_category = (line.vat_category or "").strip().upper()
    line.vat_exemption_reason = (line.vat_exemption_reason or "").strip()
    if line.product_id is None:
        if not line.write_in_name.strip():
            raise ValidationFailed("Choose a product or type a write-in product name.", field="product")
        line.is_price_overridden = True  # write-ins are always priced by hand
        line.unit = None
    else:
        line.write_in_name = ""
        if document.is_price_locked and line.is_price_overridden and price_typed:
            raise ValidationFailed(
                "Pricing is locked on this document: catalog prices can't be typed over. "
                "Use Current Pricing first, or add a write-in product.",
                field="price_per_unit",
            )
    if line.is_price_overridden and line.price_per_unit is None:
        raise ValidationFailed("Enter the price per unit.", field="price_per_unit")
    if line.product_id is not None:
        price_line(line, book, ctx, refresh_price=refresh_price, strict=strict)
    validate_line(line, book, ctx)


def build_line(
    document: PricedDocument,
    ctx: PricingContext,
    book: PriceBook,
    *,
    sequence: int,
    product: Product | None = None,
    unit: Unit | None = None,
    write_in_name: str = "",
    quantity: Decimal,
    price_per_unit: Decimal | None = None,
    is_price_overridden: bool | None = None,
    manual_discount: Decimal | None = ZERO,
    tax: Decimal | None = ZERO,
    tax_rate: Decimal | None = None,
    vat_category: str = "",
    vat_exemption_reason: str = "",
    description: str = "",
) -> DocumentLine:
    """A new, validated, priced (unsaved) line: the rules of Quick Create, for one line or many."""
    model = LINE_MODELS[type(document)]
    if product is not None:
        ensure_active_product(product)
        unit = _resolve_unit(product, unit)
    overridden = bool(is_price_overridden) if product is not None else True
    line = model(
        **{model.parent_field: document},
        sequence=sequence,
        product=product,
        unit=unit if product is not None else None,
        write_in_name=(write_in_name or "").strip() if product is None else "",
        is_price_overridden=overridden,
        # None until _prepare refuses it by name ("Enter the price per unit.").
        price_per_unit=price_per_unit if overridden else ZERO,  # type: ignore[misc]
        quantity=quantity,
        manual_discount=manual_discount if manual_discount is not None else ZERO,
        tax=tax if tax is not None else ZERO,
        tax_rate=tax_rate,
        vat_category=vat_category or "",
        vat_exemption_reason=(vat_exemption_reason or "").strip(),
        description=description or "",
    )
    # A new catalog line takes the current price-list price (then stays put if locked).
    _prepare(document, line, ctx, book, price_typed=overridden, refresh_price=True, strict=True)
    return line


@transaction.atomic
def line_add(
    *, document: PricedDocument, by: Any, expected_version: int | None = None, **fields: Any
) -> DocumentLine:
    """Add a catalog (Existing) or write-in line to an editable document and update its totals.

    `fields` are those of `build_line`: product + unit or write_in_name, quantity, price_per_unit,
    is_price_overridden, manual_discount, tax, tax_rate, vat_category, vat_exemption_reason,
    description.
    """
    document = lock(document, expected_version=expected_version)
    _check_editable(document)
    ctx = PricingContext.for_document(document)
    product = fields.get("product")
    book = PriceBook.for_document(document, [product.pk] if product is not None else [])
    line = build_line(document, ctx, book, sequence=next_sequence(document), **fields)
    lines = lines_of(document)
    lines.append(line)
    save_totals(document, lines, ctx)
    line.save(force_insert=True)
    record(
        document, TimelineKind.UPDATED, f"Added {line.product_name} × {fmt.quantity(line.quantity)}", by=by
    )
    return line


@transaction.atomic
def line_update(
    *, line: DocumentLine, by: Any, expected_version: int | None = None, **changes: Any
) -> DocumentLine:
    """Change a line. On a locked document a catalog line's price per unit stays put."""
    parent = getattr(line, line.parent_field)
    document = lock(parent, expected_version=expected_version)
    _check_editable(document)
    unknown = set(changes) - set(LINE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown line field: {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    ctx = PricingContext.for_document(document)
    lines = lines_of(document)
    target = next((x for x in lines if x.pk == line.pk), None)
    if target is None:
        raise ValidationFailed("That line no longer exists.", field="line")
    if changes.get("product") is not None and changes["product"] != target.product:
        ensure_active_product(changes["product"])
    was_overridden, old_key = target.is_price_overridden, (target.product_id, target.unit_id)
    before = snapshot(target, dict.fromkeys([*changes, *WATCHED]))
    for name, value in changes.items():
        setattr(target, name, value)
    if target.product is not None:
        target.unit = _resolve_unit(target.product, target.unit if target.unit_id else None)
    price_typed = target.is_price_overridden and ("price_per_unit" in changes or not was_overridden)
    # A locked line keeps its price unless it is now a different product/unit or back on Use Default.
    # A new product or unit, or a return to Use Default, asks the catalog for a price: refused if it
    # has none. Otherwise a line the catalog can't price any more keeps its price (SPEC §3.6).
    asks_catalog = (was_overridden and not target.is_price_overridden) or old_key != (
        target.product_id,
        target.unit_id,
    )
    refresh = not document.is_price_locked or asks_catalog
    if target.product_id is not None and not target.is_price_overridden and target.price_per_unit is None:
        target.price_per_unit = ZERO
    book = PriceBook.for_document(document, [target.product_id])
    _prepare(document, target, ctx, book, price_typed=price_typed, refresh_price=refresh, strict=asks_catalog)
    target.save()
    save_totals(document, lines, ctx)
    record_changes(document, before, by=by, line=target)
    return target


@transaction.atomic
def line_delete(*, line: DocumentLine, by: Any, expected_version: int | None = None) -> None:
    parent = getattr(line, line.parent_field)
    document = lock(parent, expected_version=expected_version)
    _check_editable(document)
    name = line.product_name
    type(line)._default_manager.filter(pk=line.pk).delete()
    ctx = PricingContext.for_document(document)
    save_totals(document, lines_of(document), ctx)
    record(document, TimelineKind.UPDATED, f"Removed {name}", by=by)
