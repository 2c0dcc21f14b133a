"""EN 16931 VAT breakdown (pure pricing): shares add up, tax per (category, rate), errors as data."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesapp import pricing
from salesapp.pricing import HeaderInput, LineInput, PricingErrorCode

D = Decimal


def line(
    price: str, qty: str = "1", *, cat: str = "S", rate: str | None = "19", tax: str = "0", **kw
) -> LineInput:
    return LineInput(
        price_per_unit=D(price),
        quantity=D(qty),
        tax=D(tax),
        vat_category=cat,
        vat_rate=D(rate) if rate is not None else None,
        **kw,
    )


def test_two_rates_and_an_exempt_line_with_header_discounts_and_freight():
    lines = [line("100.00", "3"), line("50.00", cat="S", rate="7"), line("200.00", cat="E", rate=None)]
    totals = pricing.document_totals(
        lines, HeaderInput(discount_percentage=D("10"), discount_amount=D("20.00"), freight_amount=D("15.00"))
    )
    vat = totals.vat
    assert vat is not None and vat.error_code is PricingErrorCode.NONE
    rows = {(r.category.value, r.rate): r for r in vat.rows}
    s19, s7, e = rows[("S", D("19"))], rows[("S", D("7"))], rows[("E", D("0"))]
    # detail 550.00; 10 % = 55.00 split 300:50:200 → 30.00 / 5.00 / 20.00
    assert (s19.percent_discount, s7.percent_discount, e.percent_discount) == (
        D("30.00"),
        D("5.00"),
        D("20.00"),
    )
    # 20.00 split 300:50:200 = 10.909…, 1.818…, 7.272… → 10.91, 1.82, 7.27 (largest remainders)
    assert (s19.discount_amount, s7.discount_amount, e.discount_amount) == (D("10.91"), D("1.82"), D("7.27"))
    assert s19.freight + s7.freight + e.freight == D("15.00")
    assert s19.basis == D("300.00") - D("30.00") - D("10.91") + s19.freight
    assert s19.tax == pricing.round_half_up(s19.basis * D("0.19"), 2)
    assert e.tax == D("0.00") and e.reason == ""
    assert totals.total_tax == s19.tax + s7.tax
    assert totals.total_amount == totals.pre_freight_amount + D("15.00") + totals.total_tax
    assert vat.basis == totals.pre_freight_amount + D("15.00")


def test_uncategorized_document_keeps_the_dynamics_rule():
    lines = [LineInput(price_per_unit=D("100.00"), quantity=D("1"), tax=D("5.00"))]
    totals = pricing.document_totals(lines, HeaderInput(discount_percentage=D("50")))
    assert totals.vat is None and totals.total_tax == D("5.00")
    assert totals.error_code is PricingErrorCode.NONE


def test_mixed_lines_are_a_pricing_error_naming_the_line():
    lines = [line("10.00"), LineInput(price_per_unit=D("5.00"), quantity=D("1"), tax=D("1.00"))]
    totals = pricing.document_totals(lines)
    assert totals.error_code is PricingErrorCode.MIXED_VAT_CATEGORIES
    assert totals.vat is not None and totals.vat.error_line == 1
    assert totals.total_tax == D("1.00")  # the typed taxes stand until it is fixed
    assert "VAT category" in PricingErrorCode.MIXED_VAT_CATEGORIES.description


@pytest.mark.parametrize(
    ("cat", "rate", "tax"),
    [
        ("S", None, "1.90"),  # a typed tax without a rate can't be checked
        ("S", "0", "0"),  # standard rate 0 % is not standard
        ("E", "19", "0"),
        ("Z", None, "2.00"),  # zero rated with a tax
        ("O", "5", "0"),
    ],
)
def test_rate_or_tax_that_does_not_fit_the_category(cat, rate, tax):
    totals = pricing.document_totals([line("10.00", cat=cat, rate=rate, tax=tax)])
    assert totals.error_code is PricingErrorCode.INVALID_VAT_RATE


def test_not_subject_has_no_rate_and_a_default_reason():
    vat = pricing.document_totals([line("10.00", cat="O", rate=None)]).vat
    assert vat is not None and vat.rows[0].rate is None and vat.rows[0].reason == "Not subject to VAT"


def test_exemption_reason_comes_from_the_line():
    vat = pricing.document_totals(
        [line("10.00", cat="E", rate="0", vat_exemption_reason=" Art. 132 VAT Directive ")]
    ).vat
    assert vat is not None and vat.rows[0].reason == "Art. 132 VAT Directive"


def test_rate_gives_the_line_tax():
    assert pricing.line_tax_from_rate(line("10.05", "3", manual_discount=D("0.15"))) == D("5.70")
    assert pricing.line_tax_from_rate(line("10.00", rate=None)) is None


@pytest.mark.parametrize(
    ("field", "kw"),
    [("vatcategorycode", {"cat": "X"}), ("vatrate", {"rate": "101"}), ("vatrate", {"rate": "7.12345"})],
)
def test_bad_category_or_rate_is_refused_naming_the_field(field, kw):
    with pytest.raises(pricing.PricingError) as exc:
        pricing.validate_line(line("10.00", **kw))
    assert exc.value.field == field


cents = st.integers(min_value=0, max_value=10**12).map(lambda n: D(n).scaleb(-2))


@given(total=cents, weights=st.lists(cents, min_size=1, max_size=8))
def test_allocated_shares_sum_exactly(total, weights):
    shares = pricing.allocate(total, weights, 2)
    assert sum(shares, D(0)) == total
    assert all(s >= 0 for s in shares)
    whole = sum(weights, D(0))
    if whole:
        for share, weight in zip(shares, weights, strict=True):
            assert abs(share - total * weight / whole) < D("0.01")


@given(
    prices=st.lists(
        st.integers(min_value=1, max_value=10**7).map(lambda n: D(n).scaleb(-2)), min_size=1, max_size=6
    ),
    rates=st.lists(st.sampled_from(["19", "7", "0", "5.5"]), min_size=6, max_size=6),
    percent=st.integers(min_value=0, max_value=100).map(D),
    freight=cents.filter(lambda v: v < 10**6),
)
def test_breakdown_adds_up_to_the_document(prices, rates, percent, freight):
    lines = [line(str(p), cat="S" if r != "0" else "Z", rate=r) for p, r in zip(prices, rates, strict=False)]
    totals = pricing.document_totals(lines, HeaderInput(discount_percentage=percent, freight_amount=freight))
    vat = totals.vat
    assert vat is not None and vat.error_code is PricingErrorCode.NONE
    assert sum((r.percent_discount for r in vat.rows), D(0)) == totals.header_percent_discount
    assert sum((r.freight for r in vat.rows), D(0)) == freight
    assert vat.basis == totals.pre_freight_amount + freight
    assert totals.total_tax == vat.total_tax
