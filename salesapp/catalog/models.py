"""The product catalog: currencies, units, products, price lists and discount lists (SPEC §2)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from salesapp.core.models import TimeStamped
from salesapp.pricing import (
    PricingMethod,
    QuantitySelling,
    RoundingOption,
    RoundingPolicy,
)

MONEY = {"max_digits": 19, "decimal_places": 4}
QTY = {"max_digits": 19, "decimal_places": 5}


class Currency(TimeStamped):
    """A currency [transactioncurrency].

    `exchange_rate` is how many units of this currency make one unit of the base currency (the
    organization's, whose rate is always 1). `rate_revision` goes up with every rate change: open,
    unlocked documents in this currency compare it with the one they were priced at and take the
    new rate lazily, like a price change (SPEC §6, §10).
    """

    code = models.CharField("ISO code", max_length=3, unique=True)
    name = models.CharField(max_length=100)
    symbol = models.CharField(max_length=8)
    precision = models.PositiveSmallIntegerField(default=2)
    exchange_rate = models.DecimalField(max_digits=23, decimal_places=10, default=Decimal("1"))
    rate_revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "currencies"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(precision__lte=4), name="currency_precision_0_4"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="currency_exchange_rate_positive"),
        ]

    CONSTRAINT_ERRORS = {
        "currency_precision_0_4": ("precision", "Precision must be between 0 and 4."),
        "currency_exchange_rate_positive": ("exchange_rate", "The exchange rate must be more than 0."),
    }

    def __str__(self) -> str:
        return f"{self.code} ({self.symbol})"


class UnitGroup(TimeStamped):
    """A unit group [uomschedule]. Its primary (base) unit is created with it."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def base_unit(self) -> "Unit | None":
        return self.units.filter(base_unit__isnull=True).first()


class Unit(TimeStamped):
    """A unit [uom]: quantity × base unit of the same group (Box = 12 × Each)."""

    group = models.ForeignKey(UnitGroup, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=100)
    quantity = models.DecimalField(max_digits=19, decimal_places=5, default=Decimal("1"))
    base_unit = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived_units"
    )

    class Meta:
        ordering = ["group__name", "quantity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="unit_name_unique_in_group"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="unit_quantity_positive"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(base_unit__isnull=True), name="unit_one_primary_per_group"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_primary(self) -> bool:
        return self.base_unit_id is None


class ProductState(models.IntegerChoices):
    """D365 product statecode."""

    ACTIVE = 0, "Active"
    RETIRED = 1, "Retired"
    DRAFT = 2, "Draft"
    UNDER_REVISION = 3, "Under Revision"


class ProductStatus(models.IntegerChoices):
    """D365 product statuscode: one status reason per state, written as a pair with it."""

    DRAFT = 0, "Draft"
    ACTIVE = 1, "Active"
    RETIRED = 2, "Retired"
    UNDER_REVISION = 3, "Under Revision"


PRODUCT_STATUS = {
    ProductState.ACTIVE: ProductStatus.ACTIVE,
    ProductState.RETIRED: ProductStatus.RETIRED,
    ProductState.DRAFT: ProductStatus.DRAFT,
    ProductState.UNDER_REVISION: ProductStatus.UNDER_REVISION,
}


class Product(TimeStamped):
    product_number = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True)
    unit_group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="products")
    default_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    default_price_list = models.ForeignKey(
        "PriceList", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    list_price = models.DecimalField(null=True, blank=True, **MONEY)
    standard_cost = models.DecimalField(null=True, blank=True, **MONEY)
    current_cost = models.DecimalField(null=True, blank=True, **MONEY)
    quantity_decimals = models.PositiveSmallIntegerField(default=0)
    state = models.IntegerField(choices=ProductState.choices, default=ProductState.DRAFT)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_decimals__lte=5), name="product_qty_decimals_0_5"),
            models.CheckConstraint(condition=Q(state__in=ProductState.values), name="product_state_valid"),
            models.CheckConstraint(
                condition=(Q(list_price__isnull=True) | Q(list_price__gte=0))
                & (Q(standard_cost__isnull=True) | Q(standard_cost__gte=0))
                & (Q(current_cost__isnull=True) | Q(current_cost__gte=0)),
                name="product_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.product_number})"

    @property
    def is_active(self) -> bool:
        return self.state == ProductState.ACTIVE

    @property
    def status(self) -> int:
        return PRODUCT_STATUS[ProductState(self.state)]


class PriceList(TimeStamped):
    """A price list [pricelevel].

    `revision` goes up whenever anything that prices its items changes (an item, a product's
    list price or costs, a discount list): open unlocked documents compare it with the revision
    they were priced at and reprice lazily (SPEC §6).
    """

    name = models.CharField(max_length=100, unique=True)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="price_lists")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    revision = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="pricelist_dates_ordered",
            ),
        ]

    # from_django_validation names the field instead of the constraint
    CONSTRAINT_ERRORS = {"pricelist_dates_ordered": ("end_date", "End Date can't be before Start Date.")}

    def __str__(self) -> str:
        return self.name


class DiscountList(TimeStamped):
    """A discount list [discounttype]: percentage or amount type (amount type needs a currency)."""

    name = models.CharField(max_length=100, unique=True)
    is_amount_type = models.BooleanField(default=False)
    currency = models.ForeignKey(Currency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_amount_type=False) | Q(currency__isnull=False),
                name="discountlist_amount_type_needs_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Discount(TimeStamped):
    """A row of a discount list [discount]: begin ≤ quantity ≤ end → percentage or amount per unit."""

    discount_list = models.ForeignKey(DiscountList, on_delete=models.CASCADE, related_name="discounts")
    begin_quantity = models.DecimalField(**QTY)
    end_quantity = models.DecimalField(**QTY)
    percentage = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["discount_list", "begin_quantity"]
        constraints = [
            models.CheckConstraint(condition=Q(begin_quantity__gte=0), name="discount_begin_not_negative"),
            models.CheckConstraint(
                condition=Q(end_quantity__gte=models.F("begin_quantity")), name="discount_end_after_begin"
            ),
            models.CheckConstraint(
                condition=(Q(percentage__isnull=True) | Q(percentage__gte=0, percentage__lte=100))
                & (Q(amount__isnull=True) | Q(amount__gte=0)),
                name="discount_values_in_range",
            ),
        ]

    # from_django_validation names the field instead of the constraint
    CONSTRAINT_ERRORS = {
        "discount_begin_not_negative": ("begin_quantity", "Begin Quantity can't be negative."),
        "discount_end_after_begin": ("end_quantity", "End Quantity can't be less than Begin Quantity."),
        "discount_values_in_range": (
            "percentage",
            "Percentage must be between 0 and 100, and Amount can't be negative.",
        ),
    }

    def __str__(self) -> str:
        value = f"{self.percentage} %" if self.percentage is not None else f"{self.amount}"
        return f"{self.begin_quantity}–{self.end_quantity}: {value}"


class PriceListItem(TimeStamped):
    """A price list item [productpricelevel]: how one product in one unit is priced on one list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_list_items")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    pricing_method = models.IntegerField(
        choices=[(m.value, m.name.replace("_", " ").capitalize()) for m in PricingMethod],
        default=PricingMethod.CURRENCY_AMOUNT,
    )
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    percentage = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    rounding_policy = models.IntegerField(
        choices=[(p.value, p.name.replace("_", " ").capitalize()) for p in RoundingPolicy],
        default=RoundingPolicy.NONE,
    )
    rounding_option = models.IntegerField(
        choices=[(o.value, o.name.replace("_", " ").capitalize()) for o in RoundingOption],
        null=True,
        blank=True,
    )
    rounding_amount = models.DecimalField(null=True, blank=True, **MONEY)
    quantity_selling = models.IntegerField(
        choices=[(q.value, q.name.replace("_", " ").capitalize()) for q in QuantitySelling],
        default=QuantitySelling.NO_CONTROL,
    )
    discount_list = models.ForeignKey(
        DiscountList, null=True, blank=True, on_delete=models.PROTECT, related_name="price_list_items"
    )

    class Meta:
        ordering = ["price_list", "product__name"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "unit"], name="pricelistitem_unique"),
            models.CheckConstraint(
                condition=Q(pricing_method__gte=1, pricing_method__lte=6), name="pli_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(rounding_policy__gte=1, rounding_policy__lte=4), name="pli_policy_valid"
            ),
            models.CheckConstraint(
                condition=Q(quantity_selling__gte=1, quantity_selling__lte=3), name="pli_qty_selling_valid"
            ),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) | Q(amount__gte=0))
                & (Q(rounding_amount__isnull=True) | Q(rounding_amount__gt=0)),
                name="pli_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list} · {self.product.name} / {self.unit}"
