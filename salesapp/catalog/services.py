"""Catalog writes. Anything that changes how an item is priced bumps its price list's revision,
so that open, unlocked documents reprice the next time they are read (SPEC §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F

from salesapp.core.exceptions import ValidationFailed, from_django_validation
from salesapp.sales import pricing

from .models import Discount, DiscountList, PriceList, PriceListItem, Product, ProductState, Unit, UnitGroup


def bump_price_lists(*, ids: Any = None, product: Product | None = None, discount_list: DiscountList | None = None) -> None:
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


def _save(obj: Any, changes: dict[str, Any]) -> Any:
    for key, value in changes.items():
        setattr(obj, key, value)
    try:
        obj.full_clean(validate_constraints=True)
    except DjangoValidationError as exc:
        raise from_django_validation(exc) from exc
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
    """Rename or describe an existing unit group (its units come from unit_create)."""
    return _save(group, changes)


@transaction.atomic
def unit_create(*, group: UnitGroup, name: str, quantity: Decimal, base_unit: Unit | None = None,
                by: Any = None) -> Unit:
    """A unit is quantity × a unit of the same group (by default the group's primary unit)."""
    base = base_unit or group.base_unit
    if base is None or base.group_id != group.pk:
        raise ValidationFailed("The base unit must belong to the same unit group.", field="base_unit")
    if quantity is None or quantity <= 0:
        raise ValidationFailed("The quantity must be greater than zero.", field="quantity")
    return _save(Unit(group=group, owner=by), {"name": name, "quantity": quantity, "base_unit": base})


PRICING_FIELDS = {"list_price", "standard_cost", "current_cost"}


@transaction.atomic
def product_save(*, product: Product, by: Any = None, **changes: Any) -> Product:
    is_new = product._state.adding
    if is_new and by is not None and product.owner_id is None:
        product.owner = by
    unit = changes.get("default_unit", product.default_unit if product.default_unit_id else None)
    group = changes.get("unit_group", product.unit_group if product.unit_group_id else None)
    if unit is not None and group is not None and unit.group_id != group.pk:
        raise ValidationFailed("The default unit must belong to the product's unit group.", field="default_unit")
    for name in PRICING_FIELDS:
        value = changes.get(name)
        if value is not None and value < 0:
            raise ValidationFailed(f"{name.replace('_', ' ').capitalize()} can't be negative.", field=name)
    pricing_changed = not is_new and any(getattr(product, k) != v for k, v in changes.items() if k in PRICING_FIELDS)
    _save(product, changes)
    if pricing_changed:
        bump_price_lists(product=product)
    return product


def product_set_state(*, product: Product, state: int, by: Any = None) -> Product:
    if state not in ProductState.values:
        raise ValidationFailed("Unknown product state.", field="statecode")
    return product_save(product=product, by=by, state=state)


@transaction.atomic
def price_list_save(*, price_list: PriceList, by: Any = None, **changes: Any) -> PriceList:
    if price_list._state.adding and by is not None:
        price_list.owner = by
    _save(price_list, changes)
    if not price_list._state.adding:
        bump_price_lists(ids=[price_list.pk])
    return price_list


def _check_item(item: PriceListItem) -> None:
    if item.unit_id and item.product_id and item.unit.group_id != item.product.unit_group_id:
        raise ValidationFailed("The unit must belong to the product's unit group.", field="unit")
    method = pricing.PricingMethod(item.pricing_method)
    if method == pricing.PricingMethod.CURRENCY_AMOUNT and item.amount is None:
        raise ValidationFailed("Enter the amount for a currency-amount price.", field="amount")
    if method != pricing.PricingMethod.CURRENCY_AMOUNT and item.percentage is None:
        raise ValidationFailed("Enter the percentage this pricing method needs.", field="percentage")
    if item.rounding_policy != pricing.RoundingPolicy.NONE and (item.rounding_option is None or not item.rounding_amount):
        raise ValidationFailed("A rounding policy needs a rounding option and amount.", field="rounding_amount")
    if item.discount_list_id and item.discount_list.is_amount_type and \
            item.discount_list.currency_id != item.price_list.currency_id:
        raise ValidationFailed("The amount discount list must be in the price list's currency.", field="discount_list")
    try:  # the item must be able to price its product now
        pricing.price_from_item(
            method=method, amount=item.amount, percentage=item.percentage, list_price=item.product.list_price,
            current_cost=item.product.current_cost, standard_cost=item.product.standard_cost,
            rounding_policy=pricing.RoundingPolicy(item.rounding_policy),
            rounding_option=pricing.RoundingOption(item.rounding_option) if item.rounding_option else None,
            rounding_amount=item.rounding_amount,
        )
    except pricing.PricingError as exc:
        from salesapp.sales.services.common import as_validation_error

        raise as_validation_error(exc) from exc


@transaction.atomic
def price_list_item_save(*, item: PriceListItem, by: Any = None, **changes: Any) -> PriceListItem:
    """Create or change a price list item; documents on that list reprice lazily."""
    if item._state.adding and by is not None:
        item.owner = by
    for key, value in changes.items():
        setattr(item, key, value)
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
        raise ValidationFailed("This is a percentage discount list: enter the percentage.", field="percentage")
    if discount.begin_quantity is None or discount.end_quantity is None:
        raise ValidationFailed("Enter the begin and end quantity.",
                               field="begin_quantity" if discount.begin_quantity is None else "end_quantity")
    if discount.end_quantity < discount.begin_quantity:
        raise ValidationFailed("The end quantity can't be below the begin quantity.", field="end_quantity")
    overlap = Discount.objects.filter(
        discount_list=dl, begin_quantity__lte=discount.end_quantity, end_quantity__gte=discount.begin_quantity
    ).exclude(pk=discount.pk)
    if overlap.exists():
        raise ValidationFailed("This quantity range overlaps another row of the discount list.", field="begin_quantity")
    _save(discount, {})
    bump_price_lists(discount_list=dl)
    return discount


@transaction.atomic
def discount_delete(*, discount: Discount, by: Any = None) -> None:
    dl = discount.discount_list
    discount.delete()
    bump_price_lists(discount_list=dl)
