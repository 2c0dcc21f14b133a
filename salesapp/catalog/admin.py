from django.contrib import admin

from salesapp.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Currency, Discount, DiscountList, PriceList, PriceListItem, Product, Unit, UnitGroup


class UnitInline(ReadOnlyInline):
    model = Unit
    fk_name = "group"


@admin.register(UnitGroup)
class UnitGroupAdmin(ReadOnlyAdmin):
    inlines = [UnitInline]
    search_fields = ["name"]


class PriceListItemInline(ReadOnlyInline):
    model = PriceListItem


@admin.register(PriceList)
class PriceListAdmin(ReadOnlyAdmin):
    list_display = ["name", "currency", "start_date", "end_date", "revision"]
    inlines = [PriceListItemInline]


class DiscountInline(ReadOnlyInline):
    model = Discount


@admin.register(DiscountList)
class DiscountListAdmin(ReadOnlyAdmin):
    list_display = ["name", "is_amount_type", "currency"]
    inlines = [DiscountInline]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["product_number", "name", "state", "list_price"]
    list_filter = ["state"]
    search_fields = ["name", "product_number"]


for model in (Currency, Unit, PriceListItem, Discount):
    admin.site.register(model, ReadOnlyAdmin)
