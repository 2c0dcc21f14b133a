"""Table-driven tests of the pure pricing rules (SPEC §3). No database, no Django settings.

Results are compared as strings so that the number of decimal places is checked too
("12.30" is not "12.3").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from salesapp.pricing import (
    MAX_AMOUNT,
    DiscountMethod,
    DiscountTier,
    DocumentTotals,
    HeaderInput,
    LineInput,
    LineTotals,
    PricingError,
    PricingErrorCode,
    PricingMethod,
    RoundingOption,
    RoundingPolicy,
    apply_rounding,
    document_totals,
    line_totals,
    price_from_item,
    round_half_up,
    validate_header,
    validate_line,
    volume_discount_per_unit,
)

D = Decimal
UP, DOWN, NEAREST, NONE = (
    RoundingPolicy.UP,
    RoundingPolicy.DOWN,
    RoundingPolicy.TO_NEAREST,
    RoundingPolicy.NONE,
)
ENDS_IN, MULTIPLE_OF = RoundingOption.ENDS_IN, RoundingOption.MULTIPLE_OF
PER_UNIT = DiscountMethod.PER_UNIT


# --------------------------------------------------------------------------------------------------
# round_half_up
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("2.665", 2, "2.67"),  # SPEC §3: half-even would give 2.66
        ("2.675", 2, "2.68"),  # a float would give 2.67
        ("-2.665", 2, "-2.67"),  # halves go away from zero
        ("2.664999", 2, "2.66"),
        ("2.5", 0, "3"),
        ("3.5", 0, "4"),
        ("-2.5", 0, "-3"),
        ("1234.5", 0, "1235"),
        ("0.05", 1, "0.1"),
        ("0.04", 1, "0.0"),
        ("1.2345", 3, "1.235"),
        ("1.23449", 3, "1.234"),
        ("1.23455", 4, "1.2346"),
        ("7", 2, "7.00"),  # padded to the requested places
        ("2.5", 4, "2.5000"),
        ("-0.001", 2, "0.00"),  # never negative zero
        ("-0.004", 2, "0.00"),
        ("-0.005", 2, "-0.01"),
        ("999999999999.995", 2, "1000000000000.00"),
        ("0", 3, "0.000"),
    ],
)
def test_round_half_up(value: str, places: int, expected: str) -> None:
    assert str(round_half_up(D(value), places)) == expected


@pytest.mark.parametrize("value", [2.665, 2, "2.665", None])
def test_round_half_up_refuses_anything_but_decimal(value: Any) -> None:
    with pytest.raises(TypeError):
        round_half_up(value, 2)


@pytest.mark.parametrize("places", [-1, 1.5, True])
def test_round_half_up_refuses_bad_places(places: Any) -> None:
    with pytest.raises(ValueError):
        round_half_up(D("1.5"), places)


# --------------------------------------------------------------------------------------------------
# apply_rounding
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "policy", "option", "amount", "expected"),
    [
        # Ends in 0.99 (base 1)
        ("12.34", UP, ENDS_IN, "0.99", "12.99"),
        ("12.34", DOWN, ENDS_IN, "0.99", "11.99"),
        ("12.34", NEAREST, ENDS_IN, "0.99", "11.99"),  # 0.35 below vs 0.65 above
        ("12.60", NEAREST, ENDS_IN, "0.99", "12.99"),  # 0.61 below vs 0.39 above
        ("12.49", NEAREST, ENDS_IN, "0.99", "12.99"),  # tie: 0.50 either way → up
        ("12.48", NEAREST, ENDS_IN, "0.99", "11.99"),
        ("12.99", UP, ENDS_IN, "0.99", "12.99"),  # already ends in 0.99
        ("12.99", DOWN, ENDS_IN, "0.99", "12.99"),
        ("12.99", NEAREST, ENDS_IN, "0.99", "12.99"),
        ("13.00", UP, ENDS_IN, "0.99", "13.99"),
        ("13.00", DOWN, ENDS_IN, "0.99", "12.99"),
        ("13.00", NEAREST, ENDS_IN, "0.99", "12.99"),
        # Ends in 0.95
        ("10.00", UP, ENDS_IN, "0.95", "10.95"),
        ("10.00", DOWN, ENDS_IN, "0.95", "9.95"),
        ("10.50", NEAREST, ENDS_IN, "0.95", "10.95"),  # 0.55 below vs 0.45 above
        ("10.40", NEAREST, ENDS_IN, "0.95", "9.95"),  # 0.45 below vs 0.55 above
        # Ends in 9.99 (base 10)
        ("123.45", UP, ENDS_IN, "9.99", "129.99"),
        ("123.45", DOWN, ENDS_IN, "9.99", "119.99"),
        ("123.45", NEAREST, ENDS_IN, "9.99", "119.99"),
        ("125.00", NEAREST, ENDS_IN, "9.99", "129.99"),  # 5.01 below vs 4.99 above
        ("124.99", NEAREST, ENDS_IN, "9.99", "129.99"),  # exact tie (5.00 each way) → up
        # Ends in 5 (base 10): 5, 15, 25 …
        ("17", UP, ENDS_IN, "5", "25"),
        ("17", DOWN, ENDS_IN, "5", "15"),
        ("17", NEAREST, ENDS_IN, "5", "15"),
        ("20", NEAREST, ENDS_IN, "5", "25"),  # tie → up
        # Ends in 0.5 (base 1) and 0.05 (base 0.1)
        ("3.20", UP, ENDS_IN, "0.5", "3.50"),
        ("3.20", DOWN, ENDS_IN, "0.5", "2.50"),
        ("3.21", UP, ENDS_IN, "0.05", "3.25"),
        ("3.21", DOWN, ENDS_IN, "0.05", "3.15"),
        # Below the ending: nothing at or below the price without going negative → the ending itself
        ("0.50", DOWN, ENDS_IN, "0.99", "0.99"),
        ("0.50", NEAREST, ENDS_IN, "0.99", "0.99"),
        ("0.50", UP, ENDS_IN, "0.99", "0.99"),
        ("0.00", DOWN, ENDS_IN, "0.99", "0.99"),
        ("3", DOWN, ENDS_IN, "9.99", "9.99"),
        # Multiple of 0.05
        ("12.34", UP, MULTIPLE_OF, "0.05", "12.35"),
        ("12.34", DOWN, MULTIPLE_OF, "0.05", "12.30"),
        ("12.34", NEAREST, MULTIPLE_OF, "0.05", "12.35"),
        ("12.32", NEAREST, MULTIPLE_OF, "0.05", "12.30"),
        ("12.325", NEAREST, MULTIPLE_OF, "0.05", "12.35"),  # tie → up
        ("12.30", UP, MULTIPLE_OF, "0.05", "12.30"),  # already a multiple
        ("12.30", DOWN, MULTIPLE_OF, "0.05", "12.30"),
        ("12.30", NEAREST, MULTIPLE_OF, "0.05", "12.30"),
        # Multiple of 10 and of 0.25
        ("123.45", UP, MULTIPLE_OF, "10", "130"),
        ("123.45", DOWN, MULTIPLE_OF, "10", "120"),
        ("123.45", NEAREST, MULTIPLE_OF, "10", "120"),
        ("125", NEAREST, MULTIPLE_OF, "10", "130"),  # tie → up
        ("1.13", UP, MULTIPLE_OF, "0.25", "1.25"),
        ("1.13", DOWN, MULTIPLE_OF, "0.25", "1.00"),
        ("1.13", NEAREST, MULTIPLE_OF, "0.25", "1.25"),
        ("1.12", NEAREST, MULTIPLE_OF, "0.25", "1.00"),
        ("0", UP, MULTIPLE_OF, "0.25", "0.00"),
    ],
)
def test_apply_rounding(
    price: str, policy: RoundingPolicy, option: RoundingOption, amount: str, expected: str
) -> None:
    result = apply_rounding(D(price), policy=policy, option=option, amount=D(amount))
    assert result == D(expected)


@pytest.mark.parametrize(
    ("option", "amount"),
    [(None, None), (ENDS_IN, D("0.99")), (MULTIPLE_OF, D("0.05")), (ENDS_IN, None), (None, D("0"))],
)
def test_apply_rounding_none_leaves_the_price_alone(
    option: RoundingOption | None, amount: Decimal | None
) -> None:
    assert str(apply_rounding(D("12.345"), policy=NONE, option=option, amount=amount)) == "12.345"


@pytest.mark.parametrize(
    ("price", "option", "amount", "field"),
    [
        ("12.34", ENDS_IN, None, "roundingoptionamount"),
        ("12.34", ENDS_IN, "0", "roundingoptionamount"),
        ("12.34", MULTIPLE_OF, "-0.05", "roundingoptionamount"),
        ("12.34", MULTIPLE_OF, "1000000000001", "roundingoptionamount"),
        ("12.34", None, "0.99", "roundingoptioncode"),
        ("-1.00", MULTIPLE_OF, "0.05", "priceperunit"),
    ],
)
@pytest.mark.parametrize("policy", [UP, DOWN, NEAREST])
def test_apply_rounding_refuses_bad_settings(
    price: str, option: RoundingOption | None, amount: str | None, field: str, policy: RoundingPolicy
) -> None:
    with pytest.raises(PricingError) as raised:
        apply_rounding(D(price), policy=policy, option=option, amount=None if amount is None else D(amount))
    assert raised.value.field == field


def test_apply_rounding_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        apply_rounding(12.34, policy=UP, option=MULTIPLE_OF, amount=D("0.05"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        apply_rounding(D("12.34"), policy=UP, option=MULTIPLE_OF, amount=0.05)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# price_from_item (§3.1)
# --------------------------------------------------------------------------------------------------

PRODUCT: dict[str, Any] = {"list_price": D("200.00"), "current_cost": D("80.00"), "standard_cost": D("60.00")}


@pytest.mark.parametrize(
    ("method", "amount", "percentage", "expected"),
    [
        (PricingMethod.CURRENCY_AMOUNT, "149.99", None, "149.99"),
        (PricingMethod.PERCENT_OF_LIST, None, "90", "180.00"),  # 200 × 90 %
        (PricingMethod.PERCENT_OF_LIST, None, "12.345", "24.69"),  # 24.690
        (PricingMethod.MARKUP_CURRENT_COST, None, "25", "100.00"),  # 80 × 1.25
        (PricingMethod.MARGIN_CURRENT_COST, None, "20", "100.00"),  # 80 / 0.8
        (PricingMethod.MARGIN_CURRENT_COST, None, "30", "114.29"),  # 80 / 0.7 = 114.2857…
        (PricingMethod.MARKUP_STANDARD_COST, None, "50", "90.00"),  # 60 × 1.5
        (PricingMethod.MARGIN_STANDARD_COST, None, "40", "100.00"),  # 60 / 0.6
        (PricingMethod.MARGIN_STANDARD_COST, None, "-20", "50.00"),  # 60 / 1.2 (negative margin)
        (PricingMethod.MARKUP_STANDARD_COST, None, "-100", "0.00"),  # free, but not negative
        (PricingMethod.PERCENT_OF_LIST, None, "0", "0.00"),
    ],
)
def test_price_from_item_methods(
    method: PricingMethod, amount: str | None, percentage: str | None, expected: str
) -> None:
    result = price_from_item(
        method=method,
        amount=None if amount is None else D(amount),
        percentage=None if percentage is None else D(percentage),
        **PRODUCT,
    )
    assert str(result) == expected


def test_price_from_item_reads_only_what_the_method_needs() -> None:
    result = price_from_item(
        method=PricingMethod.MARKUP_CURRENT_COST,
        amount=None,
        percentage=D("10"),
        list_price=None,
        current_cost=D("10.00"),
        standard_cost=None,
    )
    assert str(result) == "11.00"


@pytest.mark.parametrize(
    ("precision", "expected"),
    [(0, "101"), (1, "100.9"), (2, "100.86"), (3, "100.857"), (4, "100.8571")],
)
def test_price_from_item_precision(precision: int, expected: str) -> None:
    # 70.60 / (1 − 30 %) = 100.857142…
    result = price_from_item(
        method=PricingMethod.MARGIN_CURRENT_COST,
        amount=None,
        percentage=D("30"),
        list_price=None,
        current_cost=D("70.60"),
        standard_cost=None,
        precision=precision,
    )
    assert str(result) == expected


@pytest.mark.parametrize(
    ("precision", "expected"),
    [(0, "3"), (1, "2.7"), (2, "2.67"), (3, "2.665"), (4, "2.6650")],
)
def test_price_from_item_rounds_half_up_at_every_precision(precision: int, expected: str) -> None:
    # 5.33 × 50 % = 2.665 exactly: a half at 2 places.
    result = price_from_item(
        method=PricingMethod.PERCENT_OF_LIST,
        amount=None,
        percentage=D("50"),
        list_price=D("5.33"),
        current_cost=None,
        standard_cost=None,
        precision=precision,
    )
    assert str(result) == expected


@pytest.mark.parametrize(
    ("policy", "option", "rounding_amount", "expected"),
    [
        (NONE, None, None, "114.29"),
        (UP, ENDS_IN, "0.99", "114.99"),
        (DOWN, ENDS_IN, "0.99", "113.99"),
        (NEAREST, ENDS_IN, "0.99", "113.99"),  # 114.2857: 0.2957 below vs 0.7043 above
        (UP, ENDS_IN, "9.99", "119.99"),
        (DOWN, ENDS_IN, "9.99", "109.99"),
        (NEAREST, ENDS_IN, "9.99", "109.99"),
        (UP, MULTIPLE_OF, "0.05", "114.30"),
        (DOWN, MULTIPLE_OF, "0.05", "114.25"),
        (NEAREST, MULTIPLE_OF, "0.05", "114.30"),
        (UP, MULTIPLE_OF, "5", "115.00"),
        (DOWN, MULTIPLE_OF, "5", "110.00"),
        (NEAREST, MULTIPLE_OF, "5", "115.00"),
    ],
)
def test_price_from_item_rounding_runs_on_the_unrounded_price(
    policy: RoundingPolicy, option: RoundingOption | None, rounding_amount: str | None, expected: str
) -> None:
    # 80 / (1 − 30 %) = 114.285714…; the rounding policy sees that, then precision applies.
    result = price_from_item(
        method=PricingMethod.MARGIN_CURRENT_COST,
        amount=None,
        percentage=D("30"),
        rounding_policy=policy,
        rounding_option=option,
        rounding_amount=None if rounding_amount is None else D(rounding_amount),
        **PRODUCT,
    )
    assert str(result) == expected


def test_price_from_item_rounding_then_precision() -> None:
    # 50 % of 25.00 = 12.50; ends in 0.999 rounds it to 12.999, which precision 2 then rounds half-up
    # to 13.00.
    result = price_from_item(
        method=PricingMethod.PERCENT_OF_LIST,
        amount=None,
        percentage=D("50"),
        list_price=D("25.00"),
        current_cost=None,
        standard_cost=None,
        rounding_policy=UP,
        rounding_option=ENDS_IN,
        rounding_amount=D("0.999"),
    )
    assert str(result) == "13.00"


def test_a_currency_amount_is_never_rounded_by_the_policy() -> None:
    """Microsoft: a rounding policy applies "if you selected a pricing method other than Currency Amount"."""
    result = price_from_item(
        method=PricingMethod.CURRENCY_AMOUNT,
        amount=D("12.50"),
        percentage=None,
        list_price=None,
        current_cost=None,
        standard_cost=None,
        rounding_policy=UP,
        rounding_option=ENDS_IN,
        rounding_amount=D("0.99"),
    )
    assert str(result) == "12.50"


@pytest.mark.parametrize(
    ("method", "inputs", "field"),
    [
        # missing input the method needs
        (PricingMethod.CURRENCY_AMOUNT, {"percentage": D("10")}, "amount"),
        (PricingMethod.PERCENT_OF_LIST, {"list_price": D("1")}, "percentage"),
        (PricingMethod.PERCENT_OF_LIST, {"percentage": D("10"), "current_cost": D("1")}, "price"),
        (PricingMethod.MARKUP_CURRENT_COST, {"percentage": D("10"), "standard_cost": D("1")}, "currentcost"),
        (PricingMethod.MARGIN_CURRENT_COST, {"percentage": D("10"), "list_price": D("1")}, "currentcost"),
        (PricingMethod.MARKUP_STANDARD_COST, {"percentage": D("10"), "current_cost": D("1")}, "standardcost"),
        (PricingMethod.MARGIN_STANDARD_COST, {"percentage": D("10")}, "standardcost"),
        (PricingMethod.MARGIN_STANDARD_COST, {"standard_cost": D("1")}, "percentage"),
        # margin of 100 % or more has no price
        (PricingMethod.MARGIN_CURRENT_COST, {"percentage": D("100"), "current_cost": D("1")}, "percentage"),
        (PricingMethod.MARGIN_STANDARD_COST, {"percentage": D("150"), "standard_cost": D("1")}, "percentage"),
        # negative inputs or result
        (PricingMethod.CURRENCY_AMOUNT, {"amount": D("-0.01")}, "amount"),
        (PricingMethod.PERCENT_OF_LIST, {"percentage": D("-1"), "list_price": D("10")}, "percentage"),
        (PricingMethod.MARKUP_CURRENT_COST, {"percentage": D("-101"), "current_cost": D("10")}, "percentage"),
        (PricingMethod.MARKUP_CURRENT_COST, {"percentage": D("10"), "current_cost": D("-10")}, "currentcost"),
        (PricingMethod.PERCENT_OF_LIST, {"percentage": D("10"), "list_price": D("-10")}, "price"),
        # beyond ±1,000,000,000,000
        (PricingMethod.CURRENCY_AMOUNT, {"amount": MAX_AMOUNT + 1}, "amount"),
        (PricingMethod.PERCENT_OF_LIST, {"percentage": D("200"), "list_price": MAX_AMOUNT}, "priceperunit"),
        (
            PricingMethod.MARGIN_CURRENT_COST,
            {"percentage": D("99.99"), "current_cost": MAX_AMOUNT},
            "priceperunit",
        ),
        (
            PricingMethod.MARKUP_STANDARD_COST,
            {"percentage": D("10"), "standard_cost": -MAX_AMOUNT - 1},
            "standardcost",
        ),
        # rounding settings
        (
            PricingMethod.PERCENT_OF_LIST,
            {"percentage": D("50"), "list_price": D("2"), "rounding_policy": UP, "rounding_option": ENDS_IN},
            "roundingoptionamount",
        ),
        (
            PricingMethod.PERCENT_OF_LIST,
            {
                "percentage": D("50"),
                "list_price": D("2"),
                "rounding_policy": UP,
                "rounding_amount": D("0.99"),
            },
            "roundingoptioncode",
        ),
    ],
)
def test_price_from_item_refuses(method: PricingMethod, inputs: dict[str, Any], field: str) -> None:
    kwargs: dict[str, Any] = dict.fromkeys(
        ("amount", "percentage", "list_price", "current_cost", "standard_cost")
    )
    kwargs.update(inputs)
    with pytest.raises(PricingError) as raised:
        price_from_item(method=method, **kwargs)
    assert raised.value.field == field
    assert raised.value.message.endswith(".")


def test_price_from_item_missing_cost_message_names_it() -> None:
    with pytest.raises(PricingError) as raised:
        price_from_item(
            method=PricingMethod.MARKUP_CURRENT_COST,
            amount=None,
            percentage=D("10"),
            list_price=D("1"),
            current_cost=None,
            standard_cost=D("1"),
        )
    assert raised.value.field == "currentcost"
    assert "no current cost" in raised.value.message
    assert str(raised.value) == raised.value.message


@pytest.mark.parametrize(
    "name", ["amount", "percentage", "list_price", "current_cost", "standard_cost", "rounding_amount"]
)
def test_price_from_item_refuses_floats(name: str) -> None:
    kwargs: dict[str, Any] = {
        "amount": D("1"),
        "percentage": D("10"),
        "list_price": D("1"),
        "current_cost": D("1"),
        "standard_cost": D("1"),
        "rounding_amount": D("1"),
    }
    kwargs[name] = 1.0
    with pytest.raises(TypeError):
        price_from_item(method=PricingMethod.CURRENCY_AMOUNT, **kwargs)


def test_price_from_item_accepts_plain_ints_for_enums() -> None:
    # The ORM hands back option-set integers; they are the enums' values.
    result = price_from_item(
        method=2,  # type: ignore[arg-type]
        amount=None,
        percentage=D("50"),
        list_price=D("10.00"),
        current_cost=None,
        standard_cost=None,
        rounding_policy=2,  # type: ignore[arg-type]
        rounding_option=2,  # type: ignore[arg-type]
        rounding_amount=D("2"),
    )
    assert str(result) == "6.00"


# --------------------------------------------------------------------------------------------------
# volume_discount_per_unit (§3.2)
# --------------------------------------------------------------------------------------------------

PERCENT_TIERS = (
    DiscountTier(begin=D("1"), end=D("9"), percentage=D("0")),
    DiscountTier(begin=D("10"), end=D("49"), percentage=D("5")),
    DiscountTier(begin=D("50"), end=D("99.99"), percentage=D("10.5")),
    DiscountTier(begin=D("100"), end=D("1000"), percentage=D("19.05")),
)
AMOUNT_TIERS = (
    DiscountTier(begin=D("10"), end=D("19"), amount=D("1.00")),
    DiscountTier(begin=D("20"), end=D("100"), amount=D("2.50")),
)


@pytest.mark.parametrize(
    ("price", "quantity", "expected"),
    [
        ("25.20", "5", "0.00"),  # 0 % tier
        ("25.20", "10", "1.26"),  # begin is inclusive
        ("25.20", "49", "1.26"),  # end is inclusive
        ("25.20", "49.5", "0.00"),  # between tiers: no tier
        ("25.20", "50", "2.65"),  # 2.646 → 2.65
        ("25.20", "99.99", "2.65"),
        ("25.20", "100", "4.80"),  # §3.3: 25.20 × 19.05 % = 4.8006 → 4.80
        ("25.20", "1000", "4.80"),
        ("25.20", "1000.5", "0.00"),  # past the last tier
        ("25.20", "0.5", "0.00"),  # before the first tier
        ("10.00", "25", "0.50"),
        ("0.10", "25", "0.01"),  # 0.005 → 0.01, half-up
        ("0.00", "100", "0.00"),
    ],
)
def test_volume_discount_percentage_list(price: str, quantity: str, expected: str) -> None:
    result = volume_discount_per_unit(
        price_per_unit=D(price), quantity=D(quantity), tiers=PERCENT_TIERS, is_amount_type=False, precision=2
    )
    assert str(result) == expected


@pytest.mark.parametrize(
    ("price", "quantity", "expected"),
    [
        ("25.20", "9", "0.00"),
        ("25.20", "10", "1.00"),
        ("25.20", "19", "1.00"),
        ("25.20", "19.5", "0.00"),
        ("25.20", "20", "2.50"),
        ("25.20", "100", "2.50"),
        ("25.20", "101", "0.00"),
        ("2.00", "50", "2.00"),  # capped at the price per unit
        ("0.00", "50", "0.00"),
    ],
)
def test_volume_discount_amount_list(price: str, quantity: str, expected: str) -> None:
    result = volume_discount_per_unit(
        price_per_unit=D(price), quantity=D(quantity), tiers=AMOUNT_TIERS, is_amount_type=True, precision=2
    )
    assert str(result) == expected


@pytest.mark.parametrize(
    ("precision", "expected"), [(0, "5"), (1, "4.8"), (2, "4.80"), (3, "4.801"), (4, "4.8006")]
)
def test_volume_discount_precision(precision: int, expected: str) -> None:
    result = volume_discount_per_unit(
        price_per_unit=D("25.20"),
        quantity=D("100"),
        tiers=PERCENT_TIERS,
        is_amount_type=False,
        precision=precision,
    )
    assert str(result) == expected


def test_volume_discount_no_tiers() -> None:
    result = volume_discount_per_unit(
        price_per_unit=D("25.20"), quantity=D("10"), tiers=(), is_amount_type=False, precision=3
    )
    assert str(result) == "0.000"


def test_volume_discount_overlapping_tiers_lowest_begin_wins() -> None:
    tiers = [
        DiscountTier(begin=D("10"), end=D("100"), amount=D("3.00")),
        DiscountTier(begin=D("1"), end=D("50"), amount=D("1.00")),
    ]
    result = volume_discount_per_unit(
        price_per_unit=D("25.20"), quantity=D("20"), tiers=tiers, is_amount_type=True, precision=2
    )
    assert str(result) == "1.00"


@pytest.mark.parametrize(
    ("tier", "is_amount_type", "price", "field"),
    [
        (DiscountTier(begin=D("1"), end=D("10"), percentage=D("5")), True, "10", "volumediscountamount"),
        (DiscountTier(begin=D("1"), end=D("10"), amount=D("5")), False, "10", "volumediscountamount"),
        (DiscountTier(begin=D("1"), end=D("10"), amount=D("-5")), True, "10", "volumediscountamount"),
        (DiscountTier(begin=D("1"), end=D("10"), percentage=D("-5")), False, "10", "volumediscountamount"),
        (DiscountTier(begin=D("1"), end=D("10"), percentage=D("5")), False, "-10", "priceperunit"),
    ],
)
def test_volume_discount_refuses_bad_rows(
    tier: DiscountTier, is_amount_type: bool, price: str, field: str
) -> None:
    with pytest.raises(PricingError) as raised:
        volume_discount_per_unit(
            price_per_unit=D(price), quantity=D("5"), tiers=[tier], is_amount_type=is_amount_type, precision=2
        )
    assert raised.value.field == field


def test_discount_tier_refuses_floats() -> None:
    with pytest.raises(TypeError):
        DiscountTier(begin=D("1"), end=D("10"), percentage=5.0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# line_totals (§3.3) and document_totals (§3.4)
# --------------------------------------------------------------------------------------------------

# SPEC §3.4 worked example.
LINE_A = LineInput(
    price_per_unit=D("1000.00"),
    quantity=D("10"),
    volume_discount=D("100.00"),
    manual_discount=D("100.00"),
    tax=D("1335.00"),
)
LINE_B = LineInput(price_per_unit=D("250.00"), quantity=D("4"), tax=D("150.00"))
HEADER = HeaderInput(discount_percentage=D("10"), discount_amount=D("200.00"), freight_amount=D("50.00"))


def test_spec_worked_example_lines() -> None:
    assert line_totals(LINE_A) == LineTotals(
        amount=D("9000.00"), line_discount=D("100.00"), extended_amount=D("10235.00")
    )
    assert line_totals(LINE_B) == LineTotals(
        amount=D("1000.00"), line_discount=D("0.00"), extended_amount=D("1150.00")
    )


def test_spec_worked_example_document() -> None:
    totals = document_totals([LINE_A, LINE_B], HEADER)
    assert totals == DocumentTotals(
        lines=(line_totals(LINE_A), line_totals(LINE_B)),
        detail_amount=D("9900.00"),
        header_percent_discount=D("990.00"),
        pre_freight_amount=D("8710.00"),
        total_tax=D("1485.00"),
        total_amount=D("10245.00"),
        total_line_discount=D("100.00"),
        total_discount=D("1290.00"),
    )
    assert [str(v) for v in (totals.total_amount, totals.total_discount, totals.detail_amount)] == [
        "10245.00",
        "1290.00",
        "9900.00",
    ]
    assert [str(t.extended_amount) for t in totals.lines] == ["10235.00", "1150.00"]


def test_spec_worked_example_per_unit_line_a() -> None:
    totals = line_totals(LINE_A, method=PER_UNIT)
    # 9,000.00 − 100.00 × 10 + 1,335.00
    assert totals == LineTotals(amount=D("9000.00"), line_discount=D("1000.00"), extended_amount=D("9335.00"))
    assert str(totals.extended_amount) == "9335.00"


def test_spec_line_rounds_per_unit_values_before_multiplying() -> None:
    # §3.3 (ours): 25.20 less 19.05 % volume discount, 10 units → 204.00, not 203.99.
    discount = volume_discount_per_unit(
        price_per_unit=D("25.20"),
        quantity=D("10"),
        tiers=[DiscountTier(begin=D("1"), end=D("100"), percentage=D("19.05"))],
        is_amount_type=False,
        precision=2,
    )
    assert str(discount) == "4.80"
    totals = line_totals(LineInput(price_per_unit=D("25.20"), quantity=D("10"), volume_discount=discount))
    assert str(totals.amount) == "204.00"
    assert str(totals.extended_amount) == "204.00"


@pytest.mark.parametrize(
    ("line", "method", "money_places", "expected"),
    [
        (LineInput(D("19.99"), D("3")), DiscountMethod.LINE_ITEM, 2, ("59.97", "0.00", "59.97")),
        (LineInput(D("1.005"), D("1")), DiscountMethod.LINE_ITEM, 2, ("1.01", "0.00", "1.01")),  # half-up
        (LineInput(D("0.333"), D("3.5")), DiscountMethod.LINE_ITEM, 2, ("1.17", "0.00", "1.17")),  # 1.1655
        (LineInput(D("0.333"), D("3.5")), DiscountMethod.LINE_ITEM, 0, ("1", "0", "1")),
        (LineInput(D("10.00"), D("2.5"), manual_discount=D("0.33")), PER_UNIT, 2, ("25.00", "0.83", "24.17")),
        (
            LineInput(D("10"), D("1"), tax=D("1.5")),
            DiscountMethod.LINE_ITEM,
            3,
            ("10.000", "0.000", "11.500"),
        ),
    ],
)
def test_line_totals(
    line: LineInput, method: DiscountMethod, money_places: int, expected: tuple[str, str, str]
) -> None:
    totals = line_totals(line, method=method, money_places=money_places)
    assert (str(totals.amount), str(totals.line_discount), str(totals.extended_amount)) == expected


def test_document_totals_empty() -> None:
    totals = document_totals([], HeaderInput(freight_amount=D("5.00")))
    assert totals.lines == ()
    assert str(totals.detail_amount) == "0.00"
    assert str(totals.total_amount) == "5.00"
    assert str(totals.total_discount) == "0.00"


def test_document_totals_percent_first_then_amount() -> None:
    # 10 % of 333.33 = 33.333 → 33.33; then 0.33 → 299.67.
    totals = document_totals(
        [LineInput(D("333.33"), D("1"))],
        HeaderInput(discount_percentage=D("10"), discount_amount=D("0.33")),
    )
    assert str(totals.header_percent_discount) == "33.33"
    assert str(totals.pre_freight_amount) == "299.67"
    assert str(totals.total_discount) == "33.66"


def test_document_totals_header_discount_does_not_reduce_tax() -> None:
    totals = document_totals(
        [LineInput(D("100.00"), D("1"), tax=D("20.00"))],
        HeaderInput(discount_percentage=D("100")),
    )
    assert str(totals.pre_freight_amount) == "0.00"
    assert str(totals.total_tax) == "20.00"
    assert str(totals.total_amount) == "20.00"


def test_document_totals_per_unit_method() -> None:
    totals = document_totals([LINE_A, LINE_B], HEADER, method=PER_UNIT)
    assert str(totals.detail_amount) == "9000.00"  # 8,000.00 + 1,000.00
    assert str(totals.total_line_discount) == "1000.00"
    assert str(totals.header_percent_discount) == "900.00"
    assert str(totals.pre_freight_amount) == "7900.00"
    assert str(totals.total_amount) == "9435.00"  # 7,900 + 50 + 1,485
    assert str(totals.total_discount) == "2100.00"


@pytest.mark.parametrize(
    ("header", "pre_freight"),
    [
        (HeaderInput(discount_amount=D("1000.01")), "-0.01"),
        (HeaderInput(discount_percentage=D("10"), discount_amount=D("900.01")), "-0.01"),
        (HeaderInput(discount_amount=D("1500.00"), freight_amount=D("20.00")), "-500.00"),
    ],
)
def test_a_negative_pre_freight_amount_is_a_pricing_error(header: HeaderInput, pre_freight: str) -> None:
    """SPEC §3.5/§3.6 (changed): header discounts beyond the lines are data, not a refusal."""
    totals = document_totals([LineInput(D("1000.00"), D("1"))], header)
    assert str(totals.pre_freight_amount) == pre_freight
    assert totals.error_code == PricingErrorCode.PRICE_OUT_OF_RANGE


def test_document_totals_pre_freight_may_be_exactly_zero() -> None:
    totals = document_totals(
        [LineInput(D("1000.00"), D("1"))],
        HeaderInput(discount_percentage=D("10"), discount_amount=D("900.00")),
    )
    assert str(totals.pre_freight_amount) == "0.00"
    assert totals.error_code == PricingErrorCode.NONE


def test_document_totals_refuses_totals_beyond_the_maximum() -> None:
    big = LineInput(price_per_unit=D("1000000000.00"), quantity=D("1000"))
    with pytest.raises(PricingError) as raised:
        document_totals([big, big])
    assert raised.value.field == "totalamount"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"price_per_unit": 1.0, "quantity": D("1")},
        {"price_per_unit": D("1"), "quantity": 1.0},
        {"price_per_unit": D("1"), "quantity": 1},
        {"price_per_unit": D("1"), "quantity": D("1"), "tax": 0.1},
        {"price_per_unit": D("1"), "quantity": D("1"), "manual_discount": "0.1"},
    ],
)
def test_line_input_refuses_anything_but_decimal(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        LineInput(**kwargs)


def test_header_input_refuses_floats() -> None:
    with pytest.raises(TypeError):
        HeaderInput(freight_amount=5.0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# validate_line / validate_header (§3.5)
# --------------------------------------------------------------------------------------------------


def _line(**overrides: Decimal) -> LineInput:
    values: dict[str, Decimal] = {
        "price_per_unit": D("100.00"),
        "quantity": D("1"),
        "volume_discount": D("0"),
        "manual_discount": D("0"),
        "tax": D("0"),
    }
    values.update(overrides)
    return LineInput(**values)


@pytest.mark.parametrize(
    ("line", "options"),
    [
        (_line(), {}),
        (_line(quantity=D("2.50000")), {"quantity_decimals": 1}),  # trailing zeros don't count
        (_line(quantity=D("3.00")), {"whole_only": True}),
        (_line(quantity=D("0.00001")), {}),
        (_line(price_per_unit=D("0.1234")), {"price_places": 4}),
        (_line(manual_discount=D("100.00")), {}),  # the whole line
        (_line(quantity=D("10"), manual_discount=D("10.00")), {"method": PER_UNIT}),
        (_line(volume_discount=D("100.00")), {}),
        (_line(price_per_unit=MAX_AMOUNT, tax=D("0")), {}),
        (_line(tax=D("13.50")), {}),
    ],
)
def test_validate_line_accepts(line: LineInput, options: dict[str, Any]) -> None:
    validate_line(line, **options)


@pytest.mark.parametrize(
    ("line", "options", "field", "words"),
    [
        (_line(quantity=D("0")), {}, "quantity", "Quantity must be greater than zero."),
        (_line(quantity=D("-1")), {}, "quantity", "greater than zero"),
        (_line(quantity=D("1.5")), {"whole_only": True}, "quantity", "whole number"),
        (_line(quantity=D("1.5")), {"quantity_decimals": 0}, "quantity", "whole number"),
        (_line(quantity=D("1.123")), {"quantity_decimals": 2}, "quantity", "at most 2 decimal places"),
        (_line(quantity=D("1.000001")), {}, "quantity", "at most 5 decimal places"),
        (_line(quantity=MAX_AMOUNT + 1), {}, "quantity", "Quantity"),
        (_line(quantity=D("NaN")), {}, "quantity", "Quantity must be a number."),
        (_line(price_per_unit=D("-0.01")), {}, "priceperunit", "Price per unit can't be negative."),
        (_line(price_per_unit=D("1.001")), {}, "priceperunit", "Price per unit can have at most 2"),
        (_line(price_per_unit=D("1.0001")), {"price_places": 3}, "priceperunit", "at most 3 decimal places"),
        (_line(price_per_unit=MAX_AMOUNT + D("0.01")), {}, "priceperunit", "1,000,000,000,000"),
        (_line(price_per_unit=D("Infinity")), {}, "priceperunit", "Price per unit must be a number."),
        (_line(volume_discount=D("-1.00")), {}, "volumediscountamount", "Volume discount can't be negative."),
        (_line(volume_discount=D("1.005")), {}, "volumediscountamount", "decimal places"),
        (_line(volume_discount=D("100.01")), {}, "volumediscountamount", "larger than the price per unit"),
        (_line(manual_discount=D("-1.00")), {}, "manualdiscountamount", "Manual discount can't be negative."),
        (_line(manual_discount=D("1.005")), {}, "manualdiscountamount", "at most 2 decimal places"),
        (
            _line(manual_discount=D("120.00")),
            {},
            "manualdiscountamount",
            "Manual discount (120.00) can't be larger than the line amount (100.00).",
        ),
        (
            _line(volume_discount=D("10.00"), manual_discount=D("90.01")),
            {},
            "manualdiscountamount",
            "line amount (90.00)",
        ),
        (
            _line(quantity=D("10"), manual_discount=D("100.01")),
            {"method": PER_UNIT},
            "manualdiscountamount",
            "Manual discount per unit (100.01) × quantity (10) = 1,000.10 can't be larger than the line amount (1,000.00).",
        ),
        (_line(manual_discount=MAX_AMOUNT + 1), {}, "manualdiscountamount", "1,000,000,000,000"),
        (_line(tax=D("-0.01")), {}, "tax", "Tax can't be negative."),
        (_line(tax=D("0.001")), {}, "tax", "Tax can have at most 2 decimal places."),
        (_line(tax=D("0.1")), {"money_places": 0}, "tax", "Tax can have at most 0 decimal places."),
        (_line(tax=MAX_AMOUNT + 1), {}, "tax", "Tax can't be more than 1,000,000,000,000."),
        (_line(price_per_unit=MAX_AMOUNT, quantity=D("2")), {}, "quantity", "line amount"),
        (_line(price_per_unit=MAX_AMOUNT, tax=D("0.01")), {}, "tax", "extended amount"),
    ],
)
def test_validate_line_refuses(line: LineInput, options: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(PricingError) as raised:
        validate_line(line, **options)
    assert raised.value.field == field
    assert words in raised.value.message


def test_validate_line_refuses_a_non_line() -> None:
    with pytest.raises(TypeError):
        validate_line({"quantity": D("1")})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "header",
    [
        HeaderInput(),
        HeaderInput(discount_percentage=D("100"), discount_amount=D("0.01"), freight_amount=D("12.50")),
        HeaderInput(discount_percentage=D("12.50")),
        HeaderInput(discount_percentage=D("12.500")),  # trailing zero
        HeaderInput(discount_amount=MAX_AMOUNT, freight_amount=MAX_AMOUNT),
    ],
)
def test_validate_header_accepts(header: HeaderInput) -> None:
    validate_header(header)


@pytest.mark.parametrize(
    ("header", "options", "field", "words"),
    [
        (HeaderInput(discount_percentage=D("-0.01")), {}, "discountpercentage", "between 0 and 100"),
        (HeaderInput(discount_percentage=D("100.01")), {}, "discountpercentage", "between 0 and 100"),
        (HeaderInput(discount_percentage=D("12.345")), {}, "discountpercentage", "at most 2 decimal places"),
        (HeaderInput(discount_percentage=D("NaN")), {}, "discountpercentage", "must be a number"),
        (HeaderInput(discount_amount=D("-1")), {}, "discountamount", "Discount amount can't be negative."),
        (HeaderInput(discount_amount=D("1.001")), {}, "discountamount", "at most 2 decimal places"),
        (
            HeaderInput(discount_amount=D("1.1")),
            {"money_places": 0},
            "discountamount",
            "at most 0 decimal places",
        ),
        (HeaderInput(discount_amount=MAX_AMOUNT + 1), {}, "discountamount", "1,000,000,000,000"),
        (HeaderInput(freight_amount=D("-1")), {}, "freightamount", "Freight amount can't be negative."),
        (HeaderInput(freight_amount=D("1.001")), {}, "freightamount", "at most 2 decimal places"),
        (HeaderInput(freight_amount=MAX_AMOUNT + 1), {}, "freightamount", "1,000,000,000,000"),
    ],
)
def test_validate_header_refuses(
    header: HeaderInput, options: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(PricingError) as raised:
        validate_header(header, **options)
    assert raised.value.field == field
    assert words in raised.value.message


# --------------------------------------------------------------------------------------------------
# PricingError
# --------------------------------------------------------------------------------------------------


def test_pricing_error_is_a_value_error_that_survives_pickling() -> None:
    import pickle

    error = PricingError("quantity", "Quantity must be greater than zero.")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.field, copy.message, str(copy)) == (
        "quantity",
        "Quantity must be greater than zero.",
        error.message,
    )
