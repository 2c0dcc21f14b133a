"""Pure pricing rules (SPEC §3): Decimal in, frozen dataclasses out.

No Django, no ORM, no settings: services load the rows, call these functions and store the results.

* Money is ``Decimal`` only. Passing a ``float`` (or anything else that is not a ``Decimal``) is a
  programming error and raises ``TypeError`` at once.
* Every half-up rounding goes through :func:`round_half_up` (commercial rounding, 2.665 → 2.67);
  Python's default half-even rounding is never used.
* Bad *user* input raises :class:`PricingError`, whose ``field`` is the form/API field name and whose
  ``message`` is a sentence a user can read.
* Arithmetic runs in a private decimal context with 60 significant digits, so results do not depend on
  the caller's context and every amount allowed here (|v| ≤ 10¹², up to 5 decimals) multiplies exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "to_base",
    "MAX_AMOUNT",
    "DiscountMethod",
    "ERROR_ADVICE",
    "DiscountTier",
    "DocumentTotals",
    "HeaderInput",
    "LineInput",
    "LineTotals",
    "PricingError",
    "PricingErrorCode",
    "PricingMethod",
    "QuantitySelling",
    "RoundingOption",
    "RoundingPolicy",
    "apply_rounding",
    "document_totals",
    "line_totals",
    "price_from_item",
    "round_half_up",
    "validate_header",
    "validate_line",
    "volume_discount_per_unit",
    "VatBreakdown",
    "VatBreakdownRow",
    "VatCategory",
    "allocate",
    "line_tax_from_rate",
    "vat_breakdown",
]

MAX_AMOUNT = Decimal("1000000000000")
"""The largest magnitude any amount may have (SPEC §3.5: ±1,000,000,000,000)."""

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_ONE = Decimal(1)

# 60 digits: 13 integer digits × 5 decimals products stay exact; traps turn silent NaNs into errors.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _in_pricing_context(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` in the module's private decimal context."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_CONTEXT):
            return func(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------------------
# Errors and enums
# --------------------------------------------------------------------------------------------------


class PricingError(ValueError):
    """Bad pricing input, refused with a sentence that names the field (SPEC §3.5).

    ``field`` is the form/API field name (``"quantity"``, ``"manualdiscountamount"`` …); ``message`` is
    what the user reads.
    """

    def __init__(self, field: str, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code  # a PricingErrorCode when the catalog (not the user's input) is at fault

    def __reduce__(self) -> tuple[type[PricingError], tuple[str, str, int]]:
        # ValueError pickles as cls(*args); keep every argument so Celery/multiprocessing round-trip it.
        return (type(self), (self.field, self.message, self.code))

    def __repr__(self) -> str:
        return f"PricingError(field={self.field!r}, message={self.message!r})"


class PricingErrorCode(IntEnum):
    """Dynamics 365's ``pricingerrorcode`` values that this app produces (SPEC §3.6).

    A line whose price can no longer be computed keeps its last price and carries one of these; the
    document carries its first line's (or ``PRICE_OUT_OF_RANGE`` when its header discounts exceed
    its products). Such a document can be edited but not issued.
    """

    NONE = 0
    MISSING_PRICE_LIST = 2
    PRODUCT_NOT_IN_PRICE_LIST = 11
    MISSING_PRICE_LIST_AMOUNT = 12
    MISSING_PRICE_LIST_PERCENTAGE = 13
    MISSING_PRICE = 14
    MISSING_CURRENT_COST = 15
    MISSING_STANDARD_COST = 16
    INVALID_PRICE_LIST_AMOUNT = 17
    INVALID_PRICE_LIST_PERCENTAGE = 18
    INVALID_PRICE = 19
    INVALID_CURRENT_COST = 20
    INVALID_STANDARD_COST = 21
    INVALID_PRICE_LIST_CURRENCY = 34
    PRICE_OUT_OF_RANGE = 35
    # (ours) EN 16931: the lines' VAT can't make a valid e-invoice (see vat_breakdown).
    MIXED_VAT_CATEGORIES = 1001
    INVALID_VAT_RATE = 1002

    @property
    def description(self) -> str:
        return _ERROR_TEXT[self]


_ERROR_TEXT = {
    PricingErrorCode.NONE: "",
    PricingErrorCode.MISSING_PRICE_LIST: "the document has no price list",
    PricingErrorCode.PRODUCT_NOT_IN_PRICE_LIST: "the product has no price in the price list for this unit",
    PricingErrorCode.MISSING_PRICE_LIST_AMOUNT: "the price list item has no amount",
    PricingErrorCode.MISSING_PRICE_LIST_PERCENTAGE: "the price list item has no percentage",
    PricingErrorCode.MISSING_PRICE: "the product has no list price",
    PricingErrorCode.MISSING_CURRENT_COST: "the product has no current cost",
    PricingErrorCode.MISSING_STANDARD_COST: "the product has no standard cost",
    PricingErrorCode.INVALID_PRICE_LIST_AMOUNT: "the price list item's amount is invalid",
    PricingErrorCode.INVALID_PRICE_LIST_PERCENTAGE: "the price list item's percentage is invalid",
    PricingErrorCode.INVALID_PRICE: "the calculated price is out of range",
    PricingErrorCode.INVALID_CURRENT_COST: "the product's current cost is invalid",
    PricingErrorCode.INVALID_STANDARD_COST: "the product's standard cost is invalid",
    PricingErrorCode.INVALID_PRICE_LIST_CURRENCY: "the price list is in another currency than the document",
    PricingErrorCode.PRICE_OUT_OF_RANGE: "the header discounts are larger than the products' amount",
    PricingErrorCode.MIXED_VAT_CATEGORIES: "some lines have a VAT category and others don't",
    PricingErrorCode.INVALID_VAT_RATE: "a line's VAT rate or tax doesn't fit its VAT category",
}

# What the user does about each error when no single line is at fault.
ERROR_ADVICE = {
    PricingErrorCode.PRICE_OUT_OF_RANGE: "Lower the header discount, or add products.",
    PricingErrorCode.MIXED_VAT_CATEGORIES: (
        "Give every line a VAT category (S with its rate for taxed products), or clear them all."
    ),
    PricingErrorCode.INVALID_VAT_RATE: (
        "Give a standard-rated (S) line a VAT rate above 0; zero-rated, exempt, reverse-charge and export "
        "lines (Z, E, AE, K, G) a rate of 0 and no tax; a line not subject to VAT (O) no rate and no tax."
    ),
}


class PricingMethod(IntEnum):
    """Price list item pricing method (D365 ``pricingmethodcode``)."""

    CURRENCY_AMOUNT = 1
    PERCENT_OF_LIST = 2
    MARKUP_CURRENT_COST = 3
    MARGIN_CURRENT_COST = 4
    MARKUP_STANDARD_COST = 5
    MARGIN_STANDARD_COST = 6

    @property
    def label(self) -> str:
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    PricingMethod.CURRENCY_AMOUNT: "Currency amount",
    PricingMethod.PERCENT_OF_LIST: "Percent of list",
    PricingMethod.MARKUP_CURRENT_COST: "Percent markup – current cost",
    PricingMethod.MARGIN_CURRENT_COST: "Percent margin – current cost",
    PricingMethod.MARKUP_STANDARD_COST: "Percent markup – standard cost",
    PricingMethod.MARGIN_STANDARD_COST: "Percent margin – standard cost",
}


class RoundingPolicy(IntEnum):
    """Price list item rounding policy (D365 ``roundingpolicycode``)."""

    NONE = 1
    UP = 2
    DOWN = 3
    TO_NEAREST = 4


class RoundingOption(IntEnum):
    """Price list item rounding option (D365 ``roundingoptioncode``)."""

    ENDS_IN = 1
    MULTIPLE_OF = 2


class QuantitySelling(IntEnum):
    """Price list item quantity selling option (D365 ``quantitysellingcode``)."""

    NO_CONTROL = 1
    WHOLE = 2
    WHOLE_AND_FRACTIONAL = 3


class DiscountMethod(StrEnum):
    """Organization setting: is a line's manual discount for the whole line or per unit (SPEC §3.3)."""

    LINE_ITEM = "line_item"
    PER_UNIT = "per_unit"


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _require_decimal(name: str, value: object) -> None:
    """Refuse anything that is not a ``Decimal`` (floats above all): that is a bug, not user input."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__} ({value!r})")


def _require_optional_decimal(name: str, value: object) -> None:
    if value is not None:
        _require_decimal(name, value)


def _require_decimals(instance: DataclassInstance) -> None:
    """``__post_init__`` check for the input dataclasses: every set field must be a ``Decimal``."""
    for f in fields(instance):
        value = getattr(instance, f.name)
        if value is not None and "Decimal" in str(f.type):
            _require_decimal(f"{type(instance).__name__}.{f.name}", value)


def _require_places(name: str, places: object) -> None:
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ValueError(f"{name} must be a non-negative int, not {places!r}")


def _fmt(value: Decimal) -> str:
    """Format a number for a message: thousands separators, the value's own decimals."""
    return f"{value:,}"


_MAX_TEXT = _fmt(MAX_AMOUNT)


def _decimal_places(value: Decimal) -> int:
    """Significant decimal places: trailing zeros do not count (``Decimal("2.500")`` has 1)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite values only; callers check is_finite() first
    return max(0, -exponent)


def _check_finite(field: str, label: str, value: Decimal) -> None:
    if not value.is_finite():
        raise PricingError(field, f"{label} must be a number.")


def _check_magnitude(field: str, label: str, value: Decimal) -> None:
    _check_finite(field, label, value)
    if abs(value) > MAX_AMOUNT:
        raise PricingError(field, f"{label} must be between -{_MAX_TEXT} and {_MAX_TEXT}.")


def _check_amount(field: str, label: str, value: Decimal, *, places: int) -> None:
    """A user-typed amount: a number, not negative, within ±MAX_AMOUNT, at most ``places`` decimals."""
    _check_finite(field, label, value)
    if value < 0:
        raise PricingError(field, f"{label} can't be negative.")
    if value > MAX_AMOUNT:
        raise PricingError(field, f"{label} can't be more than {_MAX_TEXT}.")
    if _decimal_places(value) > places:
        raise PricingError(field, f"{label} can have at most {_plural(places, 'decimal place')}.")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


# --------------------------------------------------------------------------------------------------
# Rounding
# --------------------------------------------------------------------------------------------------


@_in_pricing_context
def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round ``value`` to ``places`` decimals, halves away from zero: 2.665 → 2.67, -2.665 → -2.67.

    The single rounding helper for money (SPEC §3). The result always has exactly ``places`` decimals
    (``Decimal("2.5")`` at 2 places is ``Decimal("2.50")``), and a zero result is never negative zero.
    """
    _require_decimal("value", value)
    _require_places("places", places)
    if not value.is_finite():
        raise ValueError(f"can't round {value!r}")
    result = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # -0.001 rounds to -0.00, which would print as "-0.00".
    return result.copy_abs() if result.is_zero() else result


@_in_pricing_context
def to_base(value: Decimal, exchange_rate: Decimal, places: int) -> Decimal:
    """A money amount in the base currency (SPEC §10): ``value / exchange_rate``, rounded half up.

    The rate is how many units of the document's currency make one base unit (Dynamics 365's
    ``exchangerate``), so 92.00 EUR at 0.92 is 100.00 USD.
    """
    _require_decimal("exchange_rate", exchange_rate)
    if not exchange_rate > 0:
        raise ValueError(f"the exchange rate must be positive, not {exchange_rate!r}")
    return round_half_up(value / exchange_rate, places)


@_in_pricing_context
def apply_rounding(
    price: Decimal,
    *,
    policy: RoundingPolicy,
    option: RoundingOption | None,
    amount: Decimal | None,
) -> Decimal:
    """Apply a price list item's rounding policy to a non-negative price (SPEC §3.1).

    * ``NONE``: the price is returned unchanged; option and amount are ignored.
    * ``MULTIPLE_OF m``: ``UP`` → ⌈p/m⌉·m, ``DOWN`` → ⌊p/m⌋·m, ``TO_NEAREST`` → nearest multiple, a
      tie going up (half-up).
    * ``ENDS_IN e``: the candidates are ``n·base + e`` for whole ``n ≥ 0``, where ``base`` is the
      smallest power of ten strictly greater than ``e`` (0.99 → 1, 0.95 → 1, 9.99 → 10, 5 → 10).
      ``UP`` → the smallest candidate ≥ p; ``DOWN`` → the largest candidate ≤ p; ``TO_NEAREST`` → the
      closer of those two, a tie going up. A price already ending in ``e`` is unchanged.
      A price is never rounded below zero: when ``p < e`` there is no candidate at or below the price,
      so ``DOWN`` and ``TO_NEAREST`` return ``e`` itself, the lowest price that ends in ``e``.

    The result is not rounded to the pricing precision here; :func:`price_from_item` does that last.

    Raises ``PricingError`` when a policy other than ``NONE`` has no option (``roundingoptioncode``) or
    no positive rounding amount (``roundingoptionamount``), or when the price is negative.
    """
    _require_decimal("price", price)
    _require_optional_decimal("amount", amount)
    policy = RoundingPolicy(policy)
    if policy is RoundingPolicy.NONE:
        return price
    _check_finite("priceperunit", "Price per unit", price)
    if price < 0:
        raise PricingError("priceperunit", "Price per unit can't be negative.")
    if option is None:
        raise PricingError("roundingoptioncode", "Choose a rounding option (Ends in or Multiple of).")
    option = RoundingOption(option)
    if amount is None or not amount.is_finite() or amount <= 0:
        raise PricingError("roundingoptionamount", "Rounding amount must be greater than zero.")
    _check_magnitude("roundingoptionamount", "Rounding amount", amount)

    if option is RoundingOption.MULTIPLE_OF:
        quotient = price / amount
        if policy is RoundingPolicy.UP:
            return _ceil(quotient) * amount
        if policy is RoundingPolicy.DOWN:
            return _floor(quotient) * amount
        return round_half_up(quotient, 0) * amount

    base = Decimal(1).scaleb(amount.adjusted() + 1)
    candidate = _floor(price / base) * base + amount
    if candidate == price:
        return candidate
    if candidate > price:
        up, down = candidate, candidate - base
    else:
        up, down = candidate + base, candidate
    if policy is RoundingPolicy.UP:
        return up
    if down < 0:  # price < e: nothing ends in e at or below the price without going negative
        return up
    if policy is RoundingPolicy.DOWN:
        return down
    return up if up - price <= price - down else down


# --------------------------------------------------------------------------------------------------
# §3.1 Price per unit from a price list item
# --------------------------------------------------------------------------------------------------


@_in_pricing_context
def price_from_item(
    *,
    method: PricingMethod,
    amount: Decimal | None,
    percentage: Decimal | None,
    list_price: Decimal | None,
    current_cost: Decimal | None,
    standard_cost: Decimal | None,
    rounding_policy: RoundingPolicy = RoundingPolicy.NONE,
    rounding_option: RoundingOption | None = None,
    rounding_amount: Decimal | None = None,
    precision: int = 2,
) -> Decimal:
    """Price per unit from a price list item (SPEC §3.1), rounded half-up to ``precision``.

    ================================  ====================================
    Currency amount                   amount
    Percent of list                   list price × percentage / 100
    Percent markup – current cost     current cost × (1 + percentage / 100)
    Percent margin – current cost     current cost / (1 − percentage / 100)
    Percent markup – standard cost    standard cost × (1 + percentage / 100)
    Percent margin – standard cost    standard cost / (1 − percentage / 100)
    ================================  ====================================

    then, for the five percentage methods only, :func:`apply_rounding`; then :func:`round_half_up` to
    ``precision``. Only the inputs the method
    needs are read; the others may be ``None``.

    Raises ``PricingError`` naming the field when an input the method needs is missing, negative or
    beyond ±MAX_AMOUNT, when a margin percentage is 100 or more, when the price would be negative
    (``percentage``), or when it would be larger than MAX_AMOUNT (``priceperunit``).
    """
    for name, value in (
        ("amount", amount),
        ("percentage", percentage),
        ("list_price", list_price),
        ("current_cost", current_cost),
        ("standard_cost", standard_cost),
        ("rounding_amount", rounding_amount),
    ):
        _require_optional_decimal(name, value)
    _require_places("precision", precision)
    method = PricingMethod(method)

    if method is PricingMethod.CURRENCY_AMOUNT:
        amount = _required_input(
            "amount",
            amount,
            f"The price list item has no amount, which its pricing method ({method.label}) needs.",
            PricingErrorCode.MISSING_PRICE_LIST_AMOUNT,
        )
        _check_magnitude("amount", "Amount", amount)
        if amount < 0:
            raise PricingError(
                "amount",
                "The price list item's amount can't be negative.",
                PricingErrorCode.INVALID_PRICE_LIST_AMOUNT,
            )
        raw = amount
    else:
        percentage = _required_input(
            "percentage",
            percentage,
            f"The price list item has no percentage, which its pricing method ({method.label}) needs.",
            PricingErrorCode.MISSING_PRICE_LIST_PERCENTAGE,
        )
        _check_magnitude("percentage", "Percentage", percentage)
        field, label, base = _method_base(method, list_price, current_cost, standard_cost)
        missing, invalid = _BASE_ERRORS[field]
        base = _required_input(
            field,
            base,
            f"The product has no {label}, which this price list item's pricing method ({method.label}) needs.",
            missing,
        )
        _check_magnitude(field, label.capitalize(), base)
        if base < 0:
            raise PricingError(field, f"The product's {label} can't be negative.", invalid)
        fraction = percentage / _HUNDRED
        if method is PricingMethod.PERCENT_OF_LIST:
            raw = base * fraction
        elif method in (PricingMethod.MARKUP_CURRENT_COST, PricingMethod.MARKUP_STANDARD_COST):
            raw = base * (_ONE + fraction)
        else:
            if percentage >= _HUNDRED:
                raise PricingError(
                    "percentage",
                    f"A margin percentage must be less than 100 (it is {_fmt(percentage)}).",
                    PricingErrorCode.INVALID_PRICE_LIST_PERCENTAGE,
                )
            raw = base / (_ONE - fraction)
        if raw < 0:
            raise PricingError(
                "percentage",
                f"Percentage {_fmt(percentage)} would make the price per unit negative.",
                PricingErrorCode.INVALID_PRICE_LIST_PERCENTAGE,
            )

    # Microsoft: "If you selected a pricing method other than Currency Amount, you can set up a
    # rounding policy" -- a typed amount is the price; only computed prices are rounded.
    if method is not PricingMethod.CURRENCY_AMOUNT:
        raw = apply_rounding(raw, policy=rounding_policy, option=rounding_option, amount=rounding_amount)
    result = round_half_up(raw, precision)
    if result > MAX_AMOUNT:
        raise PricingError(
            "priceperunit",
            f"The calculated price per unit ({_fmt(result)}) is more than the maximum, {_MAX_TEXT}.",
            PricingErrorCode.INVALID_PRICE,
        )
    return result


_BASE_ERRORS = {
    "price": (PricingErrorCode.MISSING_PRICE, PricingErrorCode.INVALID_PRICE),
    "currentcost": (PricingErrorCode.MISSING_CURRENT_COST, PricingErrorCode.INVALID_CURRENT_COST),
    "standardcost": (PricingErrorCode.MISSING_STANDARD_COST, PricingErrorCode.INVALID_STANDARD_COST),
}


def _required_input(field: str, value: Decimal | None, message: str, code: int = 0) -> Decimal:
    if value is None:
        raise PricingError(field, message, code)
    return value


def _method_base(
    method: PricingMethod,
    list_price: Decimal | None,
    current_cost: Decimal | None,
    standard_cost: Decimal | None,
) -> tuple[str, str, Decimal | None]:
    """The (API field, words, value) a percentage method is based on."""
    if method is PricingMethod.PERCENT_OF_LIST:
        return "price", "list price", list_price
    if method in (PricingMethod.MARKUP_CURRENT_COST, PricingMethod.MARGIN_CURRENT_COST):
        return "currentcost", "current cost", current_cost
    return "standardcost", "standard cost", standard_cost


# --------------------------------------------------------------------------------------------------
# §3.2 Volume discount
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscountTier:
    """One discount list row: applies when ``begin ≤ quantity ≤ end`` (both inclusive)."""

    begin: Decimal
    end: Decimal
    percentage: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        _require_decimals(self)


@_in_pricing_context
def volume_discount_per_unit(
    *,
    price_per_unit: Decimal,
    quantity: Decimal,
    tiers: Sequence[DiscountTier],
    is_amount_type: bool,
    precision: int,
) -> Decimal:
    """Volume discount per unit (SPEC §3.2), rounded half-up to ``precision``.

    The tier with ``begin ≤ quantity ≤ end`` applies; if tiers overlap, the one with the lowest
    ``begin`` wins (ties keep list order). A percentage list gives ``price per unit × % / 100``, an
    amount list gives the tier's amount. No matching tier → ``0`` at ``precision``. The discount is
    capped at the price per unit, so the net unit price never goes below zero.

    Raises ``PricingError`` (``volumediscountamount``) when the matching tier has no value of the list's
    type or a negative one, and (``priceperunit``) for a negative price.
    """
    _require_decimal("price_per_unit", price_per_unit)
    _require_decimal("quantity", quantity)
    _require_places("precision", precision)
    _check_finite("priceperunit", "Price per unit", price_per_unit)
    _check_finite("quantity", "Quantity", quantity)
    if price_per_unit < 0:
        raise PricingError("priceperunit", "Price per unit can't be negative.")

    tier = next(
        (t for t in sorted(tiers, key=lambda t: t.begin) if t.begin <= quantity <= t.end),
        None,
    )
    if tier is None:
        return round_half_up(_ZERO, precision)

    where = f"the discount list row for quantities {_fmt(tier.begin)} to {_fmt(tier.end)}"
    if is_amount_type:
        if tier.amount is None:
            raise PricingError("volumediscountamount", f"Volume discount: {where} has no amount.")
        discount = tier.amount
    else:
        if tier.percentage is None:
            raise PricingError("volumediscountamount", f"Volume discount: {where} has no percentage.")
        discount = price_per_unit * tier.percentage / _HUNDRED
    _check_finite("volumediscountamount", "Volume discount", discount)
    if discount < 0:
        raise PricingError("volumediscountamount", f"Volume discount: {where} is negative.")
    return round_half_up(min(round_half_up(discount, precision), price_per_unit), precision)


# --------------------------------------------------------------------------------------------------
# §3.3 Line
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """A document line's inputs: per-unit price and volume discount, quantity, manual discount, tax."""

    price_per_unit: Decimal
    quantity: Decimal
    volume_discount: Decimal = Decimal(0)
    manual_discount: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    # EN 16931 (ours): the UNTDID 5305 VAT category code ("" = not categorized, the D365 flow) and
    # the VAT rate % (None = no rate; the typed tax stands).
    vat_category: str = ""
    vat_rate: Decimal | None = None
    vat_exemption_reason: str = ""  # BT-120, for exempt (E) lines above all

    def __post_init__(self) -> None:
        _require_decimals(self)
        for name in ("vat_category", "vat_exemption_reason"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str, not {type(getattr(self, name)).__name__}")


@dataclass(frozen=True)
class LineTotals:
    """A line's computed money: ``amount`` (D365 ``baseamount``), its manual discount, ``extended``."""

    amount: Decimal
    line_discount: Decimal
    extended_amount: Decimal


@_in_pricing_context
def line_totals(
    line: LineInput,
    *,
    method: DiscountMethod = DiscountMethod.LINE_ITEM,
    money_places: int = 2,
) -> LineTotals:
    """A line's totals (SPEC §3.3), every value at ``money_places``.

    ::

        net unit       = price per unit − volume discount        (both already at pricing precision)
        amount         = round(net unit × quantity)
        line discount  = manual discount                         (LINE_ITEM, the default)
                       = round(manual discount × quantity)       (PER_UNIT)
        extended       = amount − line discount + tax

    Rounding the per-unit values before multiplying is deliberate (ours): 25.20 less 19.05 % is
    20.40/unit, so 10 units are 204.00, not D365's 203.99. Manual discount and tax are quantized to
    ``money_places`` too (a no-op once :func:`validate_line` has passed). Does not validate.
    """
    if not isinstance(line, LineInput):
        raise TypeError(f"line must be a LineInput, not {type(line).__name__}")
    _require_places("money_places", money_places)
    method = DiscountMethod(method)
    net_unit = line.price_per_unit - line.volume_discount
    amount = round_half_up(net_unit * line.quantity, money_places)
    if method is DiscountMethod.PER_UNIT:
        line_discount = round_half_up(line.manual_discount * line.quantity, money_places)
    else:
        line_discount = round_half_up(line.manual_discount, money_places)
    tax = round_half_up(line.tax, money_places)
    return LineTotals(
        amount=amount,
        line_discount=line_discount,
        extended_amount=round_half_up(amount - line_discount + tax, money_places),
    )


# --------------------------------------------------------------------------------------------------
# §3.4 Header
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderInput:
    """A document header's discount percentage, discount amount and freight."""

    discount_percentage: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)
    freight_amount: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _require_decimals(self)


@dataclass(frozen=True)
class DocumentTotals:
    """Everything a document stores about its money (SPEC §3.4), all at ``money_places``.

    API names: ``detail_amount`` = ``totallineitemamount``, ``pre_freight_amount`` =
    ``totalamountlessfreight``, ``total_line_discount`` = ``totallineitemdiscountamount``,
    ``total_discount`` = ``totaldiscountamount``, ``total_tax`` = ``totaltax``, ``total_amount`` =
    ``totalamount``.
    """

    lines: tuple[LineTotals, ...]
    detail_amount: Decimal
    header_percent_discount: Decimal
    pre_freight_amount: Decimal
    total_tax: Decimal
    total_amount: Decimal
    total_line_discount: Decimal
    total_discount: Decimal
    # EN 16931 (ours): the VAT breakdown when any line has a VAT category, else None.
    vat: VatBreakdown | None = None

    @property
    def error_code(self) -> PricingErrorCode:
        """The header's own pricing error: discounts larger than the products' amount, or lines whose
        VAT can't make a valid EN 16931 invoice."""
        if self.pre_freight_amount < 0:
            return PricingErrorCode.PRICE_OUT_OF_RANGE
        return self.vat.error_code if self.vat is not None else PricingErrorCode.NONE


@_in_pricing_context
def document_totals(
    lines: Sequence[LineInput],
    header: HeaderInput = HeaderInput(),  # frozen, so a shared default is safe
    *,
    method: DiscountMethod = DiscountMethod.LINE_ITEM,
    money_places: int = 2,
) -> DocumentTotals:
    """A document's totals (SPEC §3.4), every value at ``money_places``.

    ::

        detail amount        = Σ lines (amount − line discount)        tax-exclusive
        header % discount    = round(detail amount × discount % / 100)  % first …
        pre-freight amount   = detail − header % discount − header discount amount   … then amount
        total tax            = Σ lines tax                              header discounts don't reduce tax
                             = Σ VAT breakdown tax   (ours: when every line has a VAT category)
        total amount         = pre-freight amount + freight + total tax
        total line discount  = Σ line discounts
        total discount       = total line discount + header % discount + header discount amount
                               (volume discounts are not included)

    A pre-freight amount below zero (header discounts larger than the products, as when a client sets
    the discounts before adding lines) is not refused: it is returned as is, and
    :attr:`DocumentTotals.error_code` says so (SPEC §3.6). Raises ``PricingError`` (``totalamount``)
    when a total would be beyond ±MAX_AMOUNT (many large lines).
    """
    _require_places("money_places", money_places)
    for index, line in enumerate(lines):
        if not isinstance(line, LineInput):
            raise TypeError(f"lines[{index}] must be a LineInput, not {type(line).__name__}")
    if not isinstance(header, HeaderInput):
        raise TypeError(f"header must be a HeaderInput, not {type(header).__name__}")

    def q(value: Decimal) -> Decimal:
        return round_half_up(value, money_places)

    totals = tuple(line_totals(line, method=method, money_places=money_places) for line in lines)
    detail = q(sum((t.amount - t.line_discount for t in totals), _ZERO))
    percent_discount = q(detail * header.discount_percentage / _HUNDRED)
    discount_amount = q(header.discount_amount)
    pre_freight = q(detail - percent_discount - discount_amount)
    total_tax = q(sum((q(line.tax) for line in lines), _ZERO))
    vat = None
    if any(line.vat_category for line in lines):
        vat = vat_breakdown(
            lines,
            totals,
            percent_discount=percent_discount,
            discount_amount=discount_amount,
            freight=q(header.freight_amount),
            money_places=money_places,
        )
        if vat.error_code is PricingErrorCode.NONE:
            total_tax = vat.total_tax
    total_amount = q(pre_freight + q(header.freight_amount) + total_tax)
    total_line_discount = q(sum((t.line_discount for t in totals), _ZERO))
    result = DocumentTotals(
        lines=totals,
        detail_amount=detail,
        header_percent_discount=percent_discount,
        pre_freight_amount=pre_freight,
        total_tax=total_tax,
        total_amount=total_amount,
        total_line_discount=total_line_discount,
        total_discount=q(total_line_discount + percent_discount + discount_amount),
        vat=vat,
    )
    for value in (detail, total_tax, total_amount, result.total_discount):
        if abs(value) > MAX_AMOUNT:
            raise PricingError(
                "totalamount",
                f"The document's totals ({_fmt(value)}) would be beyond the maximum, {_MAX_TEXT}.",
            )
    return result


# --------------------------------------------------------------------------------------------------
# §3.5 Bad input
# --------------------------------------------------------------------------------------------------


@_in_pricing_context
def validate_line(
    line: LineInput,
    *,
    method: DiscountMethod = DiscountMethod.LINE_ITEM,
    quantity_decimals: int = 5,
    whole_only: bool = False,
    price_places: int = 2,
    money_places: int = 2,
) -> None:
    """Refuse a bad line (SPEC §3.5) with a ``PricingError`` naming the first bad field.

    In order:

    * ``quantity``: a number, greater than zero, at most MAX_AMOUNT, a whole number when
      ``whole_only`` (or ``quantity_decimals == 0``), else at most ``quantity_decimals`` decimals;
    * ``priceperunit``: not negative, at most MAX_AMOUNT, at most ``price_places`` decimals;
    * ``volumediscountamount``: not negative, at most ``price_places`` decimals, not larger than the
      price per unit;
    * ``manualdiscountamount``: not negative, at most MAX_AMOUNT, at most ``money_places`` decimals,
      not larger than the line amount (for PER_UNIT: manual discount × quantity, rounded);
    * ``tax``: not negative, at most MAX_AMOUNT, at most ``money_places`` decimals;
    * ``vatcategorycode``: empty or a :class:`VatCategory` code; ``vatrate``: 0–100, 4 decimals;
    * the line amount (``quantity``) and extended amount (``tax``) within MAX_AMOUNT.

    Trailing zeros do not count as decimals: quantity ``2.500`` has one decimal.
    """
    if not isinstance(line, LineInput):
        raise TypeError(f"line must be a LineInput, not {type(line).__name__}")
    for name, places in (
        ("quantity_decimals", quantity_decimals),
        ("price_places", price_places),
        ("money_places", money_places),
    ):
        _require_places(name, places)
    method = DiscountMethod(method)

    quantity = line.quantity
    _check_finite("quantity", "Quantity", quantity)
    if quantity <= 0:
        raise PricingError("quantity", "Quantity must be greater than zero.")
    if quantity > MAX_AMOUNT:
        raise PricingError("quantity", f"Quantity can't be more than {_MAX_TEXT}.")
    if whole_only or quantity_decimals == 0:
        if quantity != quantity.to_integral_value():
            raise PricingError("quantity", "Quantity must be a whole number for this product.")
    elif _decimal_places(quantity) > quantity_decimals:
        raise PricingError(
            "quantity", f"Quantity can have at most {_plural(quantity_decimals, 'decimal place')}."
        )

    _check_amount("priceperunit", "Price per unit", line.price_per_unit, places=price_places)
    _check_amount("volumediscountamount", "Volume discount", line.volume_discount, places=price_places)
    if line.volume_discount > line.price_per_unit:
        raise PricingError(
            "volumediscountamount",
            f"Volume discount ({_fmt(line.volume_discount)}) can't be larger than the price per unit "
            f"({_fmt(line.price_per_unit)}).",
        )
    manual_label = "Manual discount per unit" if method is DiscountMethod.PER_UNIT else "Manual discount"
    _check_amount("manualdiscountamount", manual_label, line.manual_discount, places=money_places)
    _check_amount("tax", "Tax", line.tax, places=money_places)
    if line.vat_category and line.vat_category not in {c.value for c in VatCategory}:
        codes = ", ".join(c.value for c in VatCategory)
        raise PricingError("vatcategorycode", f"VAT category must be one of {codes} (or empty).")
    if line.vat_rate is not None:
        _check_finite("vatrate", "VAT rate", line.vat_rate)
        if not _ZERO <= line.vat_rate <= _HUNDRED:
            raise PricingError("vatrate", "VAT rate must be between 0 and 100 %.")
        if _decimal_places(line.vat_rate) > 4:
            raise PricingError("vatrate", "VAT rate can have at most 4 decimal places.")

    totals = line_totals(line, method=method, money_places=money_places)
    if totals.amount > MAX_AMOUNT:
        raise PricingError(
            "quantity",
            f"The line amount ({_fmt(totals.amount)}) would be more than the maximum, {_MAX_TEXT}.",
        )
    if totals.line_discount > totals.amount:
        if method is DiscountMethod.PER_UNIT:
            message = (
                f"Manual discount per unit ({_fmt(line.manual_discount)}) × quantity "
                f"({_fmt(quantity)}) = {_fmt(totals.line_discount)} can't be larger than the line "
                f"amount ({_fmt(totals.amount)})."
            )
        else:
            message = (
                f"Manual discount ({_fmt(totals.line_discount)}) can't be larger than the line amount "
                f"({_fmt(totals.amount)})."
            )
        raise PricingError("manualdiscountamount", message)
    if totals.extended_amount > MAX_AMOUNT:
        raise PricingError(
            "tax",
            f"The extended amount ({_fmt(totals.extended_amount)}) would be more than the maximum, "
            f"{_MAX_TEXT}.",
        )


@_in_pricing_context
def validate_header(header: HeaderInput, *, money_places: int = 2) -> None:
    """Refuse a bad header (SPEC §3.5) with a ``PricingError`` naming the first bad field.

    * ``discountpercentage``: from 0 to 100, at most 2 decimals;
    * ``discountamount``, ``freightamount``: not negative, at most MAX_AMOUNT, at most ``money_places``
      decimals.

    A header discount larger than the lines is caught by :func:`document_totals`, which knows the lines.
    """
    if not isinstance(header, HeaderInput):
        raise TypeError(f"header must be a HeaderInput, not {type(header).__name__}")
    _require_places("money_places", money_places)
    percentage = header.discount_percentage
    _check_finite("discountpercentage", "Discount %", percentage)
    if not _ZERO <= percentage <= _HUNDRED:
        raise PricingError("discountpercentage", "Discount % must be between 0 and 100.")
    if _decimal_places(percentage) > 2:
        raise PricingError("discountpercentage", "Discount % can have at most 2 decimal places.")
    _check_amount("discountamount", "Discount amount", header.discount_amount, places=money_places)
    _check_amount("freightamount", "Freight amount", header.freight_amount, places=money_places)


# --------------------------------------------------------------------------------------------------
# (ours) EN 16931 VAT: categories, the tax a rate gives, the breakdown per category and rate
# --------------------------------------------------------------------------------------------------


class VatCategory(StrEnum):
    """UNTDID 5305 VAT category codes that EN 16931 allows (BT-118, BT-151)."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"
    CANARY_ISLANDS = "L"
    CEUTA_MELILLA = "M"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]

    @property
    def zero_rated(self) -> bool:
        """The categories whose rate is 0 by definition (O has no rate at all)."""
        return self in _ZERO_RATE_CATEGORIES

    @property
    def default_reason(self) -> str:
        """The exemption reason (BT-120) printed when the lines give none; '' where the law must be named."""
        return _DEFAULT_REASONS.get(self, "")


_CATEGORY_LABELS = {
    VatCategory.STANDARD: "Standard rate",
    VatCategory.ZERO_RATED: "Zero rated",
    VatCategory.EXEMPT: "Exempt from VAT",
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.INTRA_COMMUNITY: "Intra-community supply",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.NOT_SUBJECT: "Not subject to VAT",
    VatCategory.CANARY_ISLANDS: "Canary Islands (IGIC)",
    VatCategory.CEUTA_MELILLA: "Ceuta and Melilla (IPSI)",
}
_ZERO_RATE_CATEGORIES = frozenset(
    {
        VatCategory.ZERO_RATED,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
    }
)
_DEFAULT_REASONS = {
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.INTRA_COMMUNITY: "Intra-community supply",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.NOT_SUBJECT: "Not subject to VAT",
}


@_in_pricing_context
def line_tax_from_rate(
    line: LineInput, *, method: DiscountMethod = DiscountMethod.LINE_ITEM, money_places: int = 2
) -> Decimal | None:
    """The tax a line's VAT rate gives, or None when the line has no rate (its typed tax stands).

    ``tax = round((amount − line discount) × rate / 100)``: the discounted line amount, never below 0.
    """
    if line.vat_rate is None:
        return None
    totals = line_totals(line, method=method, money_places=money_places)
    return round_half_up(
        max(totals.amount - totals.line_discount, _ZERO) * line.vat_rate / _HUNDRED, money_places
    )


@_in_pricing_context
def allocate(total: Decimal, weights: Sequence[Decimal], places: int) -> tuple[Decimal, ...]:
    """Split ``total`` over ``weights`` in proportion, at ``places`` decimals, by largest remainder.

    The shares always add up to ``total`` exactly: each gets the floor of its exact share, and the
    units left over go one each to the largest remainders (ties: the earlier weight). With no
    positive weight the first share takes everything.
    """
    _require_decimal("total", total)
    _require_places("places", places)
    if not weights:
        return ()
    unit = Decimal(1).scaleb(-places)
    units = int(round_half_up(total, places) / unit)
    positive = [max(w, _ZERO) for w in weights]
    whole = sum(positive, _ZERO)
    if whole == 0:
        return tuple(round_half_up(total if i == 0 else _ZERO, places) for i in range(len(weights)))
    sign = -1 if units < 0 else 1
    exact = [Decimal(abs(units)) * w / whole for w in positive]
    floors = [int(_floor(x)) for x in exact]
    left = abs(units) - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return tuple(round_half_up(Decimal(sign * n) * unit, places) for n in floors)


@dataclass(frozen=True)
class VatBreakdownRow:
    """One VAT breakdown group (EN 16931 BG-23) for one (category, rate).

    ``basis`` = line total − header % discount share − header discount share + freight share, and
    ``tax`` = round(basis × rate / 100). ``rate`` is None for category O (it has no rate). ``reason``
    is the exemption reason (BT-120): the lines' own, else the category's default.
    """

    category: VatCategory
    rate: Decimal | None
    line_total: Decimal
    percent_discount: Decimal
    discount_amount: Decimal
    freight: Decimal
    basis: Decimal
    tax: Decimal
    reason: str = ""


@dataclass(frozen=True)
class VatBreakdown:
    """The VAT breakdown of a document, or why it can't have one (``error_code``, ``error_line``).

    ``error_line`` is the index of the first line at fault (None when no single line is).
    """

    rows: tuple[VatBreakdownRow, ...]
    error_code: PricingErrorCode = PricingErrorCode.NONE
    error_line: int | None = None

    @property
    def total_tax(self) -> Decimal:
        return sum((row.tax for row in self.rows), _ZERO)

    @property
    def basis(self) -> Decimal:
        return sum((row.basis for row in self.rows), _ZERO)


def _vat_key(line: LineInput) -> tuple[VatCategory, Decimal | None] | None:
    """The (category, rate) a categorized line belongs to, or None when its rate or tax can't fit."""
    try:
        category = VatCategory(line.vat_category)
    except ValueError:
        return None
    rate, tax = line.vat_rate, line.tax
    if category is VatCategory.NOT_SUBJECT:
        return (category, None) if (rate is None or rate == 0) and tax == 0 else None
    if category.zero_rated:
        return (category, _ZERO) if (rate is None or rate == 0) and tax == 0 else None
    if rate is None or rate < 0 or (category is VatCategory.STANDARD and rate == 0):
        return None  # a typed tax with no rate can't be checked against one
    return (category, rate.normalize() if rate else _ZERO)


@_in_pricing_context
def vat_breakdown(
    lines: Sequence[LineInput],
    totals: Sequence[LineTotals],
    *,
    percent_discount: Decimal,
    discount_amount: Decimal,
    freight: Decimal,
    money_places: int = 2,
) -> VatBreakdown:
    """The VAT breakdown per (category, rate) of categorized lines (EN 16931 BG-23).

    Each group's line total is Σ (amount − line discount) of its lines. The header % discount, the
    header discount amount and the freight are each split over the groups in proportion to their
    line totals (:func:`allocate`: the shares add up exactly); they become the document-level
    allowances and charges of the e-invoice. ``tax = round(basis × rate / 100)`` per group.

    A document with some lines categorized and others not is ``MIXED_VAT_CATEGORIES``; a line whose
    rate or typed tax doesn't fit its category is ``INVALID_VAT_RATE``: S needs a rate above 0, L
    and M a rate; Z, E, AE, K and G have rate 0 (or none) and no tax; O has no rate and no tax.
    """
    if len(totals) != len(lines):
        raise ValueError("vat_breakdown needs one LineTotals per line")
    for index, line in enumerate(lines):
        if not line.vat_category:
            return VatBreakdown((), PricingErrorCode.MIXED_VAT_CATEGORIES, index)
    groups: dict[tuple[VatCategory, Decimal | None], Decimal] = {}
    group_reasons: dict[tuple[VatCategory, Decimal | None], str] = {}
    for index, (line, line_total) in enumerate(zip(lines, totals, strict=True)):
        key = _vat_key(line)
        if key is None:
            return VatBreakdown((), PricingErrorCode.INVALID_VAT_RATE, index)
        groups[key] = groups.get(key, _ZERO) + line_total.amount - line_total.line_discount
        reason = line.vat_exemption_reason.strip()
        if reason and not group_reasons.get(key):
            group_reasons[key] = reason
    keys = list(groups)
    weights = [groups[k] for k in keys]
    percent_shares = allocate(percent_discount, weights, money_places)
    amount_shares = allocate(discount_amount, weights, money_places)
    freight_shares = allocate(freight, weights, money_places)
    rows = []
    for i, key in enumerate(keys):
        category, rate = key
        basis = round_half_up(
            groups[key] - percent_shares[i] - amount_shares[i] + freight_shares[i], money_places
        )
        tax = (
            round_half_up(basis * rate / _HUNDRED, money_places)
            if rate
            else round_half_up(_ZERO, money_places)
        )
        rows.append(
            VatBreakdownRow(
                category=category,
                rate=rate,
                line_total=round_half_up(groups[key], money_places),
                percent_discount=percent_shares[i],
                discount_amount=amount_shares[i],
                freight=freight_shares[i],
                basis=basis,
                tax=tax,
                reason=group_reasons.get(key)
                or ("" if category is VatCategory.STANDARD else category.default_reason),
            )
        )
    return VatBreakdown(tuple(rows))
