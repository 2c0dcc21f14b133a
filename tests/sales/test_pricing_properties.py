"""Hypothesis properties of the pure pricing rules (SPEC §3): totals add up, rounding is half-up,
rounding policies move the way they say, and results always carry the requested decimal places."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from salesapp.pricing import (
    MAX_AMOUNT,
    DiscountMethod,
    DiscountTier,
    HeaderInput,
    LineInput,
    PricingErrorCode,
    PricingMethod,
    RoundingOption,
    RoundingPolicy,
    apply_rounding,
    document_totals,
    line_totals,
    price_from_item,
    round_half_up,
    validate_line,
    volume_discount_per_unit,
)

D = Decimal


def money(min_value: str = "0", max_value: str = "100000", places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=D(min_value), max_value=D(max_value), places=places, allow_nan=False, allow_infinity=False
    )


def any_places(min_value: str, max_value: str, max_places: int = 8) -> st.SearchStrategy[Decimal]:
    """Decimals with anywhere from 0 to ``max_places`` decimals."""
    return st.integers(0, max_places).flatmap(lambda p: money(min_value, max_value, places=p))


def exponent(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    assert isinstance(exp, int)
    return exp


def reference_half_up(value: Decimal, places: int) -> Decimal:
    """Half-up rounding with integers only: |v|·10^places, add a half, floor, put the sign back."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exp + places
    if shift >= 0:
        scaled = coefficient * 10**shift
    else:
        divisor = 10**-shift
        scaled, remainder = divmod(coefficient, divisor)
        if 2 * remainder >= divisor:
            scaled += 1
    if sign and scaled:
        scaled = -scaled
    return Decimal(scaled).scaleb(-places)


# --------------------------------------------------------------------------------------------------
# round_half_up
# --------------------------------------------------------------------------------------------------


@given(value=any_places("-1000000000000", "1000000000000"), places=st.integers(0, 4))
def test_round_half_up_matches_integer_reference(value: Decimal, places: int) -> None:
    result = round_half_up(value, places)
    expected = reference_half_up(value, places)
    assert result == expected
    assert exponent(result) == -places
    assert not (result.is_zero() and result.is_signed())  # no "-0.00"


@given(value=any_places("0", "1000000"), places=st.integers(0, 4))
def test_round_half_up_is_symmetric(value: Decimal, places: int) -> None:
    assert round_half_up(-value, places) == -round_half_up(value, places)


@given(value=any_places("-1000000", "1000000"), places=st.integers(0, 4))
def test_round_half_up_moves_at_most_half_a_step(value: Decimal, places: int) -> None:
    step = Decimal(1).scaleb(-places)
    assert abs(round_half_up(value, places) - value) <= step / 2


# --------------------------------------------------------------------------------------------------
# apply_rounding
# --------------------------------------------------------------------------------------------------

POLICIES = st.sampled_from([RoundingPolicy.UP, RoundingPolicy.DOWN, RoundingPolicy.TO_NEAREST])


@given(price=any_places("0", "1000000", 4), multiple=money("0.01", "1000", 2), policy=POLICIES)
def test_multiple_of_gives_a_multiple_in_the_policys_direction(
    price: Decimal, multiple: Decimal, policy: RoundingPolicy
) -> None:
    result = apply_rounding(price, policy=policy, option=RoundingOption.MULTIPLE_OF, amount=multiple)
    assert result % multiple == 0
    assert abs(result - price) < multiple
    if policy is RoundingPolicy.UP:
        assert result >= price
    elif policy is RoundingPolicy.DOWN:
        assert result <= price
    else:
        distance = abs(result - price)
        assert distance <= multiple / 2
        if distance == multiple / 2:
            assert result > price  # a tie goes up


@given(price=any_places("0", "1000000", 4), multiple=money("0.01", "1000", 2), policy=POLICIES)
def test_multiple_of_leaves_a_multiple_alone(
    price: Decimal, multiple: Decimal, policy: RoundingPolicy
) -> None:
    on_grid = (price // multiple) * multiple
    result = apply_rounding(on_grid, policy=policy, option=RoundingOption.MULTIPLE_OF, amount=multiple)
    assert result == on_grid


@given(price=any_places("0", "1000000", 4), ending=money("0.01", "99.99", 2), policy=POLICIES)
def test_ends_in_gives_a_price_ending_in_it(price: Decimal, ending: Decimal, policy: RoundingPolicy) -> None:
    result = apply_rounding(price, policy=policy, option=RoundingOption.ENDS_IN, amount=ending)
    base = Decimal(1).scaleb(ending.adjusted() + 1)
    assert ending < base <= ending * 10  # the smallest power of ten above the ending
    assert (result - ending) % base == 0
    assert result >= ending  # never below zero: the lowest candidate is the ending itself
    assert abs(result - price) < base or (price < ending and result == ending)
    if policy is RoundingPolicy.UP:
        assert result >= price
    elif policy is RoundingPolicy.DOWN and price >= ending:
        assert result <= price
    elif policy is RoundingPolicy.TO_NEAREST and price >= ending:
        other = result + base if result <= price else result - base
        assert abs(result - price) <= abs(other - price)
        if abs(result - price) == abs(other - price):
            assert result > other  # a tie goes up


@given(price=any_places("-1000", "1000000", 6), option=st.sampled_from(list(RoundingOption)))
def test_rounding_none_is_the_identity(price: Decimal, option: RoundingOption) -> None:
    assert apply_rounding(price, policy=RoundingPolicy.NONE, option=option, amount=None) == price


# --------------------------------------------------------------------------------------------------
# price_from_item and volume_discount_per_unit: results at the requested places
# --------------------------------------------------------------------------------------------------


@given(
    method=st.sampled_from(list(PricingMethod)),
    amount=money(places=4),
    percentage=any_places("0", "99.99", 3),
    base=money("0", "100000", 4),
    policy=st.sampled_from(list(RoundingPolicy)),
    option=st.sampled_from(list(RoundingOption)),
    rounding_amount=money("0.01", "10", 2),
    precision=st.integers(0, 4),
)
def test_price_from_item_is_at_the_pricing_precision(
    method: PricingMethod,
    amount: Decimal,
    percentage: Decimal,
    base: Decimal,
    policy: RoundingPolicy,
    option: RoundingOption,
    rounding_amount: Decimal,
    precision: int,
) -> None:
    result = price_from_item(
        method=method,
        amount=amount,
        percentage=percentage,
        list_price=base,
        current_cost=base,
        standard_cost=base,
        rounding_policy=policy,
        rounding_option=option,
        rounding_amount=rounding_amount,
        precision=precision,
    )
    assert exponent(result) == -precision
    assert result >= 0
    if policy is RoundingPolicy.NONE and method is PricingMethod.CURRENCY_AMOUNT:
        assert result == round_half_up(amount, precision)


@given(
    price=money(places=2),
    quantity=any_places("0", "2000", 3),
    percentage=any_places("0", "100", 2),
    amount=money("0", "50", 2),
    is_amount_type=st.booleans(),
    precision=st.integers(0, 4),
)
def test_volume_discount_is_at_the_precision_and_never_above_the_price(
    price: Decimal,
    quantity: Decimal,
    percentage: Decimal,
    amount: Decimal,
    is_amount_type: bool,
    precision: int,
) -> None:
    tiers = [
        DiscountTier(begin=D("1"), end=D("99"), percentage=percentage, amount=amount),
        DiscountTier(begin=D("100"), end=D("1000"), percentage=percentage / 2, amount=amount * 2),
    ]
    price = round_half_up(price, precision)
    result = volume_discount_per_unit(
        price_per_unit=price,
        quantity=quantity,
        tiers=tiers,
        is_amount_type=is_amount_type,
        precision=precision,
    )
    assert exponent(result) == -precision
    assert D(0) <= result <= price
    if not D(1) <= quantity <= D(1000):
        assert result == 0


# --------------------------------------------------------------------------------------------------
# line_totals and document_totals: everything adds up
# --------------------------------------------------------------------------------------------------

METHODS = st.sampled_from(list(DiscountMethod))


@st.composite
def valid_lines(draw: st.DrawFn, method: DiscountMethod = DiscountMethod.LINE_ITEM) -> LineInput:
    """A line that :func:`validate_line` accepts (2 price places, 2 money places)."""
    price = draw(money("0", "100000", 2))
    quantity = draw(any_places("0.001", "1000", 3))
    volume_discount = draw(money("0", str(price), 2))
    net_amount = round_half_up((price - volume_discount) * quantity, 2)
    if method is DiscountMethod.PER_UNIT:
        # the largest per-unit discount whose rounded total stays within the line amount
        cap = (net_amount / quantity).quantize(D("0.01"), rounding=ROUND_FLOOR)
        manual = draw(money("0", str(cap), 2))
    else:
        manual = draw(money("0", str(net_amount), 2))
    tax = draw(money("0", "100000", 2))
    return LineInput(
        price_per_unit=price,
        quantity=quantity,
        volume_discount=volume_discount,
        manual_discount=manual,
        tax=tax,
    )


@given(price=any_places("0", "100000", 4), data=st.data())
def test_line_extended_is_amount_less_discount_plus_tax(price: Decimal, data: st.DataObject) -> None:
    method = data.draw(METHODS)
    money_places = data.draw(st.integers(0, 4))
    item = LineInput(
        price_per_unit=price,
        quantity=data.draw(any_places("0.001", "1000", 5)),
        volume_discount=data.draw(money("0", "10", 4)),
        manual_discount=data.draw(any_places("0", "1000", 4)),
        tax=data.draw(any_places("0", "1000", 4)),
    )
    totals = line_totals(item, method=method, money_places=money_places)
    assert totals.extended_amount == totals.amount - totals.line_discount + round_half_up(
        item.tax, money_places
    )
    assert totals.amount == round_half_up(
        (item.price_per_unit - item.volume_discount) * item.quantity, money_places
    )
    for value in (totals.amount, totals.line_discount, totals.extended_amount):
        assert exponent(value) == -money_places


@given(data=st.data(), method=METHODS)
def test_valid_lines_pass_validation_and_never_go_below_their_tax(
    data: st.DataObject, method: DiscountMethod
) -> None:
    line = data.draw(valid_lines(method))
    validate_line(line, method=method, quantity_decimals=3)
    totals = line_totals(line, method=method)
    assert totals.amount - totals.line_discount >= 0
    assert totals.extended_amount >= line.tax


@given(data=st.data(), method=METHODS)
def test_document_totals_add_up(data: st.DataObject, method: DiscountMethod) -> None:
    lines = data.draw(st.lists(valid_lines(method), max_size=6))
    percentage = data.draw(any_places("0", "100", 2))
    detail = sum((t.amount - t.line_discount for t in (line_totals(x, method=method) for x in lines)), D(0))
    room = detail - round_half_up(detail * percentage / 100, 2)
    header = HeaderInput(
        discount_percentage=percentage,
        discount_amount=data.draw(money("0", str(room), 2)),
        freight_amount=data.draw(money("0", "10000", 2)),
    )

    totals = document_totals(lines, header, method=method)

    assert totals.lines == tuple(line_totals(line, method=method) for line in lines)
    assert totals.detail_amount == sum((t.amount - t.line_discount for t in totals.lines), D(0))
    assert totals.header_percent_discount == round_half_up(totals.detail_amount * percentage / 100, 2)
    assert totals.pre_freight_amount == (
        totals.detail_amount - totals.header_percent_discount - header.discount_amount
    )
    assert totals.pre_freight_amount >= 0
    assert totals.total_tax == sum((line.tax for line in lines), D(0))
    assert totals.total_amount == totals.pre_freight_amount + header.freight_amount + totals.total_tax
    assert (
        totals.total_amount
        == sum((t.extended_amount for t in totals.lines), D(0))
        - (totals.header_percent_discount + header.discount_amount)
        + header.freight_amount
    )
    assert totals.total_line_discount == sum((t.line_discount for t in totals.lines), D(0))
    assert totals.total_discount == (
        totals.total_line_discount + totals.header_percent_discount + header.discount_amount
    )
    for value in (
        totals.detail_amount,
        totals.header_percent_discount,
        totals.pre_freight_amount,
        totals.total_tax,
        totals.total_amount,
        totals.total_line_discount,
        totals.total_discount,
    ):
        assert exponent(value) == -2


@given(data=st.data())
def test_a_header_discount_beyond_the_lines_is_a_pricing_error(data: st.DataObject) -> None:
    lines = data.draw(st.lists(valid_lines(), min_size=1, max_size=4))
    detail = sum((t.amount - t.line_discount for t in map(line_totals, lines)), D(0))
    assume(detail < MAX_AMOUNT)
    excess = data.draw(money("0.01", "1000", 2))
    totals = document_totals(lines, HeaderInput(discount_amount=detail + excess))
    assert totals.pre_freight_amount == -excess
    assert totals.error_code == PricingErrorCode.PRICE_OUT_OF_RANGE
