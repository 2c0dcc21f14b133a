from django.contrib import admin

from .models import Currency, Discount, DiscountList, PriceList, PriceListItem, Product, Unit, UnitGroup


class UnitInline(admin.TabularInline):
    model = Unit
    fk_name = "group"
    extra = 0


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    inlines = [UnitInline]
    search_fields = ["name"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "start_date", "end_date", "revision"]
    readonly_fields = ["revision"]
    inlines = [PriceListItemInline]


class DiscountInline(admin.TabularInline):
    model = Discount
    extra = 0


@admin.register(DiscountList)
class DiscountListAdmin(admin.ModelAdmin):
    list_display = ["name", "is_amount_type", "currency"]
    inlines = [DiscountInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["product_number", "name", "state", "list_price"]
    list_filter = ["state"]
    search_fields = ["name", "product_number"]


admin.site.register(Currency)
admin.site.register(Unit)
admin.site.register(PriceListItem)
admin.site.register(Discount)
