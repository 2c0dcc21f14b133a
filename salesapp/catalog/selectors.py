from django.db.models import Count, QuerySet

from .models import DiscountList, PriceList, PriceListItem, Product, UnitGroup


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("owner", "unit_group", "default_unit", "default_price_list")


def price_list_list() -> QuerySet[PriceList]:
    return PriceList.objects.select_related("owner", "currency").annotate(item_count=Count("items"))


def price_list_items(price_list: PriceList) -> QuerySet[PriceListItem]:
    return (
        PriceListItem.objects.filter(price_list=price_list)
        .select_related("product", "unit", "discount_list")
        .order_by("product__name", "unit__name")
    )


def unit_group_list() -> QuerySet[UnitGroup]:
    return UnitGroup.objects.select_related("owner").annotate(unit_count=Count("units"))


def discount_list_list() -> QuerySet[DiscountList]:
    return DiscountList.objects.select_related("owner", "currency").annotate(row_count=Count("discounts"))
