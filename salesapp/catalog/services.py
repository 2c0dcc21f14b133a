"""Catalog writes. Anything that changes how an item is priced bumps its price list's revision,
so that open, unlocked documents reprice the next time they are read (SPEC §6)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F, ForeignObjectRel, Model

from salesapp import pricing
from salesapp.core.exceptions import ValidationFailed, full_clean_or_fail
from salesapp.core.formatting import valid_locale
from salesapp.core.models import OrganizationSettings
from salesapp.core.text import has_line_break

from .errors import as_validation_error
from .models import (
    PRODUCT_STATUS,
    Currency,
    Discount,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    ProductState,
    ProductStatus,
    Unit,
    UnitGroup,
)

M = TypeVar("M", bound=Model)


def bump_price_lists(
    *, ids: Any = None, product: Product | None = None, discount_list: DiscountList | None = None
) -> None:
    qs = PriceList.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if product is not None:
        qs = qs.filter(items__product=product)
    if discount_list is not None:
        qs = qs.filter(items__discount_list=discount_list)
    PriceList.objects.filter(pk__in=list(qs.values_list("pk", flat=True).distinct())).update(
        revision=F("revision") + 1
    )


def _lock_row(model: Any, pk: Any) -> None:
    """Lock a parent row so that writes under it (its units, its items) run one after the other."""
    list(model.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def _save(obj: M, changes: dict[str, Any]) -> M:
    for key, value in changes.items():
        setattr(obj, key, value)
    full_clean_or_fail(obj)
    obj.save()
    return obj


@transaction.atomic
def unit_group_create(*, name: str, base_unit_name: str, by: Any = None, description: str = "") -> UnitGroup:
    """A unit group is created with its primary (base) unit."""
    if not base_unit_name.strip():
        raise ValidationFailed("Name the primary unit.", field="base_unit_name")
    group = _save(UnitGroup(owner=by, description=description), {"name": name})
    Unit.objects.create(group=group, name=base_unit_name.strip(), quantity=Decimal("1"), owner=by)
    return group


@transaction.atomic
def unit_group_save(*, group: UnitGroup, by: Any = None, **changes: Any) -> UnitGroup:
    """Rename or describe an existing unit group (its units: unit_create, unit_save, unit_delete)."""
    return _save(group, changes)


def _lock_units(group_id: Any) -> dict[Any, Unit]:
    """Lock the unit group, so two edits can't build a cycle between them or delete a unit another
    edit is about to count in, and read its units in one query."""
    _lock_row(UnitGroup, group_id)
    return {u.pk: u for u in Unit.objects.filter(group_id=group_id)}


def _primary(units: dict[Any, Unit]) -> Unit | None:
    return next((u for u in units.values() if u.is_primary), None)


def _check_name(unit: Unit, units: dict[Any, Unit], name: str | None) -> None:
    if name is not None and any(u.name == name and u.pk != unit.pk for u in units.values()):
        raise ValidationFailed(f"This unit group already has a unit named {name}.", field="name")


def _check_measure(
    unit: Unit, units: dict[Any, Unit], *, quantity: Decimal | None, base: Unit | None
) -> None:
    """A unit holds more than zero of a unit of its own group, and never (through others) of itself."""
    if quantity is None or quantity <= 0:
        raise ValidationFailed("The quantity must be greater than zero.", field="quantity")
    if base is None or base.pk not in units:
        raise ValidationFailed("The base unit must belong to the same unit group.", field="base_unit")
    seen = set()
    step: Unit | None = units[base.pk]
    while step is not None and step.pk not in seen:
        if step.pk == unit.pk:
            why = (
                "a unit can't be counted in itself"
                if base.pk == unit.pk
                else f"{base.name} is itself counted in {unit.name}"
            )
            raise ValidationFailed(f"{unit.name} can't be counted in {base.name}: {why}.", field="base_unit")
        seen.add(step.pk)
        step = units.get(step.base_unit_id)


@transaction.atomic
def unit_create(
    *, group: UnitGroup, name: str, quantity: Decimal, base_unit: Unit | None = None, by: Any = None
) -> Unit:
    """A unit is quantity × a unit of the same group (by default the group's primary unit)."""
    units = _lock_units(group.pk)
    unit = Unit(group=group, owner=by)
    base = base_unit or _primary(units)
    _check_name(unit, units, name)
    _check_measure(unit, units, quantity=quantity, base=base)
    return _save(unit, {"name": name, "quantity": quantity, "base_unit": base})


UNIT_FIELDS = {"name", "quantity", "base_unit"}


@transaction.atomic
def unit_save(*, unit: Unit, by: Any = None, **changes: Any) -> Unit:
    """Rename a unit or change how many of its base unit it holds.

    The group's primary unit stays 1 × itself (quantity 1, no base unit). Any other unit follows the
    rules of unit_create; an empty base unit means the group's primary unit, as there.

    No price list is bumped: pricing never reads a unit's quantity, base unit or name. A price list
    item prices one product in one unit as it stands (SPEC §3.1) and lines never convert between
    units, so no open document's price or total can change.
    """
    unknown = set(changes) - UNIT_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(f"A unit's {field.replace('_', ' ')} can't be changed.", field=field)
    units = _lock_units(unit.group_id)
    primary = _primary(units)
    _check_name(unit, units, changes.get("name"))
    if primary is not None and unit.pk == primary.pk:
        if changes.get("quantity", 1) != 1:
            raise ValidationFailed(
                f"{unit.name} is the primary unit of its group: its quantity stays 1.", field="quantity"
            )
        if changes.get("base_unit") is not None:
            raise ValidationFailed(
                f"{unit.name} is the primary unit of its group: it has no base unit.", field="base_unit"
            )
    else:
        if "base_unit" in changes:
            changes["base_unit"] = changes["base_unit"] or primary
        _check_measure(
            unit,
            units,
            quantity=changes.get("quantity", unit.quantity),
            base=changes.get("base_unit", unit.base_unit),
        )
    return _save(unit, changes)


def _lines_in_units() -> list[tuple[Any, Any, str]]:
    """(document model, line model, unit field) of every document line sold in a unit.

    The sales app sits above the catalog, so the catalog finds its lines through Django's registry of
    relations rather than by importing them: the models of other apps with a foreign key to Unit, each
    naming the document it belongs to in `parent_field` (sales.models.DocumentLine).
    """
    out: list[tuple[Any, Any, str]] = []
    for rel in Unit._meta.get_fields(include_hidden=True):
        # Known here only through the registry: its `parent_field` is the sales app's, hence Any.
        line: Any = rel.related_model
        if (
            isinstance(rel, ForeignObjectRel)
            and rel.one_to_many
            and line._meta.app_label != Unit._meta.app_label
        ):
            document = line._meta.get_field(line.parent_field).related_model
            out.append((document, line, rel.field.name))
    return out


def _unit_in_use(unit: Unit, units: dict[Any, Unit]) -> str | None:
    """Why the unit can't be deleted (what still counts, sells or prices in it), or None."""
    if unit.is_primary:
        return "it is the primary unit of its group, which every other unit is counted in"
    derived = sorted(u.name for u in units.values() if u.base_unit_id == unit.pk)
    if derived:
        return f"it is the base unit of {', '.join(derived)}"
    product = Product.objects.filter(default_unit=unit).order_by("name").first()
    if product is not None:
        return f"it is the default unit of the product {product.name}"
    item = PriceListItem.objects.filter(unit=unit).select_related("price_list", "product").first()
    if item is not None:
        return f"the price list {item.price_list.name} prices {item.product.name} in it"
    used = [
        str(document._meta.verbose_name_plural)
        for document, line, field in _lines_in_units()
        if line._default_manager.filter(**{field: unit}).exists()
    ]
    if used:
        return f"it is used on lines of {', '.join(used)}"
    return None


@transaction.atomic
def unit_delete(*, unit: Unit, by: Any = None) -> None:
    """Delete a unit nothing uses: not the primary unit, nor the base unit of another, nor a product's
    default unit, nor the unit of a price list item or of any document line (closed ones included)."""
    reason = _unit_in_use(unit, _lock_units(unit.group_id))
    if reason:
        raise ValidationFailed(f"The unit {unit.name} can't be deleted: {reason}.")
    unit.delete()


PRICING_FIELDS = {"list_price", "standard_cost", "current_cost"}


@transaction.atomic
def product_save(*, product: Product, by: Any = None, **changes: Any) -> Product:
    is_new = product._state.adding
    if is_new and by is not None and product.owner_id is None:
        product.owner = by
    unit = changes.get("default_unit", product.default_unit if product.default_unit_id else None)
    group = changes.get("unit_group", product.unit_group if product.unit_group_id else None)
    # A default unit gives the unit group; a unit group alone gives its primary unit as the default.
    if unit is not None and group is None:
        group = changes["unit_group"] = unit.group
    if group is not None and unit is None:
        unit = changes["default_unit"] = group.base_unit
    if unit is not None and group is not None and unit.group_id != group.pk:
        raise ValidationFailed(
            "The default unit must belong to the product's unit group.", field="default_unit"
        )
    for name in PRICING_FIELDS:
        value = changes.get(name)
        if value is not None and value < 0:
            raise ValidationFailed(f"{name.replace('_', ' ').capitalize()} can't be negative.", field=name)
    pricing_changed = not is_new and any(
        getattr(product, k) != v for k, v in changes.items() if k in PRICING_FIELDS
    )
    _save(product, changes)
    if pricing_changed:
        bump_price_lists(product=product)
    return product


def product_state(state: int | None, status: int | None) -> int | None:
    """The product state a statecode / statuscode pair asks for (publish, retire, revise).

    Either may be given alone; given together they must belong together (Dynamics 365's pairs).
    """
    if status is not None:
        owner = next((s for s, st in PRODUCT_STATUS.items() if st == status), None)
        if owner is None:
            raise ValidationFailed(f"Unknown product statuscode {status}.", field="statuscode")
        if state is not None and state != owner:
            raise ValidationFailed(
                f"statuscode {status} ({ProductStatus(status).label}) goes with statecode {int(owner)}, "
                f"not {state}.",
                field="statuscode",
            )
        return int(owner)
    if state is not None and state not in ProductState.values:
        raise ValidationFailed("Unknown product state.", field="statecode")
    return state


def product_set_state(
    *, product: Product, state: int | None, status: int | None = None, by: Any = None
) -> Product:
    """Publish (Active), retire, revise or draft a product."""
    return product_save(product=product, by=by, state=product_state(state, status))


def _currency_in_use(currency: Currency) -> str | None:
    """What prices or sells in the currency (its price lists, documents, opportunities), or None."""
    for rel in Currency._meta.related_objects:
        if (
            rel.one_to_many
            and rel.related_model._default_manager.filter(**{rel.field.name: currency}).exists()
        ):
            return str(rel.related_model._meta.verbose_name_plural)
    return None


CURRENCY_FIELDS = {"code", "name", "symbol", "precision", "exchange_rate"}
CURRENCY_FIXED_IN_USE = {"code": "ISO code", "precision": "currency precision"}


@transaction.atomic
def currency_save(*, currency: Currency, by: Any = None, **changes: Any) -> Currency:
    """Create or change a currency [transactioncurrency]; managers only (checked by the callers' role guard).

    The organization's base currency keeps the rate 1. A rate change bumps `rate_revision`, so open,
    unlocked documents in the currency take the new rate the next time they are read (SPEC §10);
    locked and closed documents keep the rate they were priced at. A currency's ISO code and
    precision are fixed once anything prices or sells in it: its documents' amounts are rounded to it.
    """
    unknown = sorted(set(changes) - CURRENCY_FIELDS)
    if unknown:
        raise ValidationFailed(f"There is no currency field named {unknown[0]}.", field=unknown[0])
    if isinstance(changes.get("code"), str):
        changes["code"] = changes["code"].strip().upper()
    is_new = currency._state.adding
    old_rate = None
    if not is_new:
        locked = Currency.objects.select_for_update().get(pk=currency.pk)
        old_rate = locked.exchange_rate
        in_use = None
        for name, label in CURRENCY_FIXED_IN_USE.items():
            if name in changes and changes[name] != getattr(locked, name):
                in_use = in_use or _currency_in_use(locked)
                if in_use:
                    raise ValidationFailed(
                        f"The {label} can't change: {in_use} already use the currency {locked.code}.",
                        field=name,
                    )
    code = changes.get("code", currency.code)
    if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValidationFailed("The ISO code is three letters, such as EUR or USD.", field="code")
    base = OrganizationSettings.load().default_currency_id
    rate = changes.get("exchange_rate", currency.exchange_rate)
    if not is_new and currency.pk == base and rate is not None and rate != 1:
        raise ValidationFailed(
            f"{currency.code} is the organization's base currency: its exchange rate is always 1.",
            field="exchange_rate",
        )
    _save(currency, changes)
    if old_rate is not None and currency.exchange_rate != old_rate:
        Currency.objects.filter(pk=currency.pk).update(rate_revision=F("rate_revision") + 1)
        currency.refresh_from_db(fields=["rate_revision"])
    return currency


@transaction.atomic
def price_list_save(*, price_list: PriceList, by: Any = None, **changes: Any) -> PriceList:
    """A new price list without a currency is in the organization's base currency (as in Dynamics 365)."""
    is_new = price_list._state.adding
    if is_new and by is not None:
        price_list.owner = by
    if is_new and changes.get("currency") is None and price_list.currency_id is None:
        changes["currency"] = OrganizationSettings.load().default_currency
        if changes["currency"] is None:
            raise ValidationFailed(
                "Choose a currency: the organization has no base currency.", field="currency"
            )
    _save(price_list, changes)
    if not is_new:
        bump_price_lists(ids=[price_list.pk])
    return price_list


def _check_item(item: PriceListItem) -> None:
    if item.unit_id and item.product_id and item.unit.group_id != item.product.unit_group_id:
        raise ValidationFailed("The unit must belong to the product's unit group.", field="unit")
    if (
        item.price_list_id
        and item.product_id
        and item.unit_id
        and PriceListItem.objects.filter(
            price_list_id=item.price_list_id,
            product_id=item.product_id,
            unit_id=item.unit_id,
        )
        .exclude(pk=item.pk)
        .exists()
    ):  # the unique constraint stays as the backstop
        raise ValidationFailed(
            f"{item.price_list.name} already prices {item.product.name} in the unit {item.unit.name}: "
            "change that item, or choose another unit.",
            field="product",
        )
    method = pricing.PricingMethod(item.pricing_method)
    if method == pricing.PricingMethod.CURRENCY_AMOUNT and item.amount is None:
        raise ValidationFailed("Enter the amount for a currency-amount price.", field="amount")
    if method != pricing.PricingMethod.CURRENCY_AMOUNT and item.percentage is None:
        raise ValidationFailed("Enter the percentage this pricing method needs.", field="percentage")
    if item.rounding_policy != pricing.RoundingPolicy.NONE and (
        item.rounding_option is None or not item.rounding_amount
    ):
        raise ValidationFailed(
            "A rounding policy needs a rounding option and amount.", field="rounding_amount"
        )
    if (
        item.discount_list is not None
        and item.discount_list.is_amount_type
        and item.discount_list.currency_id != item.price_list.currency_id
    ):
        raise ValidationFailed(
            "The amount discount list must be in the price list's currency.", field="discount_list"
        )
    try:  # the item must be able to price its product now
        pricing.price_from_item(
            method=method,
            amount=item.amount,
            percentage=item.percentage,
            list_price=item.product.list_price,
            current_cost=item.product.current_cost,
            standard_cost=item.product.standard_cost,
            rounding_policy=pricing.RoundingPolicy(item.rounding_policy),
            rounding_option=pricing.RoundingOption(item.rounding_option) if item.rounding_option else None,
            rounding_amount=item.rounding_amount,
        )
    except pricing.PricingError as exc:
        raise as_validation_error(exc) from exc


@transaction.atomic
def price_list_item_save(*, item: PriceListItem, by: Any = None, **changes: Any) -> PriceListItem:
    """Create or change a price list item; documents on that list reprice lazily.

    A list prices a product in a unit once: the list's row is locked first, so two saves of the same
    product and unit can't both pass the check.
    """
    if item._state.adding and by is not None:
        item.owner = by
    for key, value in changes.items():
        setattr(item, key, value)
    _lock_row(PriceList, item.price_list_id)
    if item.product_id and not item.unit_id:
        item.unit = item.product.default_unit
    _check_item(item)
    _save(item, {})
    bump_price_lists(ids=[item.price_list_id])
    return item


@transaction.atomic
def price_list_item_delete(*, item: PriceListItem, by: Any = None) -> None:
    price_list_id = item.price_list_id
    item.delete()
    bump_price_lists(ids=[price_list_id])


@transaction.atomic
def discount_list_save(*, discount_list: DiscountList, by: Any = None, **changes: Any) -> DiscountList:
    if discount_list._state.adding and by is not None:
        discount_list.owner = by
    _save(discount_list, changes)
    bump_price_lists(discount_list=discount_list)
    return discount_list


@transaction.atomic
def discount_save(*, discount: Discount, by: Any = None, **changes: Any) -> Discount:
    for key, value in changes.items():
        setattr(discount, key, value)
    dl = discount.discount_list
    if dl.is_amount_type and discount.amount is None:
        raise ValidationFailed("This is an amount discount list: enter the amount.", field="amount")
    if not dl.is_amount_type and discount.percentage is None:
        raise ValidationFailed(
            "This is a percentage discount list: enter the percentage.", field="percentage"
        )
    if discount.begin_quantity is None or discount.end_quantity is None:
        raise ValidationFailed(
            "Enter the begin and end quantity.",
            field="begin_quantity" if discount.begin_quantity is None else "end_quantity",
        )
    if discount.end_quantity < discount.begin_quantity:
        raise ValidationFailed("The end quantity can't be below the begin quantity.", field="end_quantity")
    overlap = Discount.objects.filter(
        discount_list=dl, begin_quantity__lte=discount.end_quantity, end_quantity__gte=discount.begin_quantity
    ).exclude(pk=discount.pk)
    if overlap.exists():
        raise ValidationFailed(
            "This quantity range overlaps another row of the discount list.", field="begin_quantity"
        )
    _save(discount, {})
    bump_price_lists(discount_list=dl)
    return discount


@transaction.atomic
def discount_delete(*, discount: Discount, by: Any = None) -> None:
    dl = discount.discount_list
    discount.delete()
    bump_price_lists(discount_list=dl)


# --- the organization settings (SPEC §2: one row) ----------------------------------------------
# Here, not in core, because a pricing setting changes prices the way a price list change does.

# What open documents are priced with besides their price list (PricingContext): the places of a
# price per unit and a volume discount, and whether a manual discount is per line or per unit.
PRICING_SETTINGS = ("pricing_precision", "discount_calculation")
# Settings written into email headers (From, Reply-To, Subject), where a line break ends the header.
EMAIL_HEADER_SETTINGS = {
    "seller_name": "Seller name",
    "email": "Email (the Reply-To address)",
    "email_subject_template": "Email subject template",
    "reminder_subject_template": "Reminder subject template",
}
SETTINGS = {f.name for f in OrganizationSettings._meta.concrete_fields if f.editable and not f.primary_key}


def _check_base_currency(org: OrganizationSettings, new: Currency | None) -> None:
    """The base currency is what every `_base` amount is in: it can be chosen while nothing prices in
    any currency, and its exchange rate is 1."""
    if new is None or new.pk == org.default_currency_id:
        return
    if org.default_currency_id is not None:
        for currency in Currency.objects.all():
            in_use = _currency_in_use(currency)
            if in_use:
                raise ValidationFailed(
                    f"The base currency can't change: {in_use} already use the currency {currency.code}.",
                    field="default_currency",
                )
    if new.exchange_rate != 1:
        raise ValidationFailed(
            f"The base currency's exchange rate is 1: set {new.code}'s rate to 1 first.",
            field="default_currency",
        )


@transaction.atomic
def _clean_iban(value: str) -> str:
    """An IBAN without spaces, upper case, its ISO 13616 check digits verified ('' stays '')."""
    iban = re.sub(r"\s+", "", value).upper()
    if not iban:
        return ""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        raise ValidationFailed(
            "IBAN: two letters, two check digits and the account (like DE89 3704 0044 0532 0130 00).",
            field="iban",
        )
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise ValidationFailed("IBAN: the check digits don't match; check it for a typo.", field="iban")
    return iban


@transaction.atomic
def organization_settings_save(*, by: Any, **changes: Any) -> OrganizationSettings:
    """Change the organization settings, with their row locked.

    Changing a pricing setting bumps every price list's revision, so open, unlocked documents reprice
    the next time they are read, as after a price list change (SPEC §6); locked and closed documents
    keep the prices they have.
    """
    unknown = sorted(set(changes) - SETTINGS)
    if unknown:
        raise ValidationFailed(f"There is no organization setting named {unknown[0]}.", field=unknown[0])
    OrganizationSettings.load()  # the row exists from then on
    org: OrganizationSettings = OrganizationSettings.objects.select_for_update().get(pk=1)
    precision = changes.get("pricing_precision", org.pricing_precision)
    if precision is None or not 0 <= precision <= 4:
        raise ValidationFailed(
            "The pricing decimal precision must be between 0 and 4.", field="pricing_precision"
        )
    for name, label in EMAIL_HEADER_SETTINGS.items():
        value = changes.get(name)
        if isinstance(value, str) and has_line_break(value):
            raise ValidationFailed(
                f"{label}: enter it on one line; it goes into the header of every email sent.", field=name
            )
    if "locale" in changes:
        locale = valid_locale(str(changes["locale"] or ""))
        if locale is None:
            raise ValidationFailed(
                f"Locale: “{str(changes['locale'])[:40]}” is not a locale we know (en_US, de_DE, fr_FR …).",
                field="locale",
            )
        changes["locale"] = locale
    if "iban" in changes:
        changes["iban"] = _clean_iban(str(changes["iban"] or ""))
    if "bic" in changes:
        bic = re.sub(r"\s+", "", str(changes["bic"] or "")).upper()
        if bic and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", bic):
            raise ValidationFailed(
                "BIC: 8 or 11 letters and digits, like DEUTDEFF or DEUTDEFF500.", field="bic"
            )
        changes["bic"] = bic
    _check_base_currency(org, changes.get("default_currency", org.default_currency))
    before = [getattr(org, name) for name in PRICING_SETTINGS]
    for name, value in changes.items():
        setattr(org, name, value)
    full_clean_or_fail(org)
    org.save()
    if [getattr(org, name) for name in PRICING_SETTINGS] != before:
        bump_price_lists()
    return org
