"""One formatter for money, quantities and dates (salesapp.core.formatting), and every surface using it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import parse_pattern
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from salesapp.core import formatting as fmt
from salesapp.core.models import OrganizationSettings
from salesapp.documents import rendering
from salesapp.pricing import round_half_up
from salesapp.sales import services
from salesapp.sales.models import Invoice, TimelineEvent
from salesapp.sales.views.kinds import url_of
from tests import factories

D = Decimal
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "places", "locale", "text"),
    [
        (D("1.235"), 2, "en_US", "1.24"),  # half-up, not half-even (1.24 either way) …
        (D("1.225"), 2, "en_US", "1.23"),  # … this one tells them apart: half-even gives 1.22
        (D("2.665"), 2, "en_US", "2.67"),  # SPEC §3's own example
        (D("1.235"), 3, "en_US", "1.235"),  # a 3-decimal currency keeps its third decimal
        (D("1.2350"), 3, "en_US", "1.235"),  # stored with 4 decimals
        (D("1.2345"), 3, "en_US", "1.235"),  # Babel alone would say 1.234 (half-even)
        (D("0.5"), 0, "en_US", "1"),
        (D("1234.5"), 0, "en_US", "1,235"),
        (D("2.5"), 0, "en_US", "3"),  # half-even would give 2
        (D("-1.225"), 2, "en_US", "-1.23"),  # halves away from zero
        (D("-0.001"), 2, "en_US", "0.00"),  # never "-0.00"
        (D("0"), 2, "en_US", "0.00"),
        (D("999999999999.995"), 2, "en_US", "1,000,000,000,000.00"),
        (D("123456789012.34"), 2, "en_US", "123,456,789,012.34"),
        (D("123456789012.34"), 2, "de_DE", "123.456.789.012,34"),
        (D("1234567.891"), 3, "de_DE", "1.234.567,891"),
        (D("-1234.5"), 2, "de_DE", "-1.234,50"),
        (D("1234.5"), 2, "fr_FR", "1\u202f234,50"),
        (D("1234.5"), 2, "de_CH", "1'234.50"),
        (D("1000000"), 0, "de_CH", "1'000'000"),
        (D("1234567.5"), 2, "en_IN", "12,34,567.50"),  # not grouped by three: Babel's own path
    ],
)
def test_amount(value, places, locale, text):
    assert fmt.amount(value, places, locale=locale) == text


@pytest.mark.parametrize(
    ("value", "places", "symbol", "locale", "text"),
    [
        (D("1234.565"), 2, "$", "en_US", "$1,234.57"),
        (D("-5"), 2, "$", "en_US", "-$5.00"),
        (D("1.2345"), 3, "KD", "en_US", "KD1.235"),
        (D("1234.565"), 2, "€", "de_DE", f"1.234,57{NBSP}€"),
        (D("-5"), 2, "€", "de_DE", f"-5,00{NBSP}€"),
        (D("1234"), 0, "¥", "ja_JP", "¥1,234"),
        (D("1234567.5"), 2, "₹", "en_IN", "₹12,34,567.50"),
        (D("1"), 2, "<b>", "en_US", "<b>1.00"),  # plain text: templates escape it
    ],
)
def test_money(value, places, symbol, locale, text):
    assert fmt.money(value, places, symbol=symbol, locale=locale) == text


@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (D("10.00000"), "en_US", "10"),
        (D("2.50000"), "en_US", "2.5"),
        (D("2.50000"), "de_DE", "2,5"),
        (D("0.00001"), "en_US", "0.00001"),  # never rounded
        (D("1000"), "en_US", "1,000"),
        (D("1E+3"), "de_DE", "1.000"),
        (D("0E-5"), "en_US", "0"),
    ],
)
def test_quantity(value, locale, text):
    assert fmt.quantity(value, locale=locale) == text


@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (datetime.date(2026, 1, 5), "en_US", "Jan 5, 2026"),
        (datetime.date(2026, 1, 5), "de_DE", "05.01.2026"),
        (datetime.datetime(2026, 1, 5, 23, 30), "en_US", "Jan 5, 2026"),  # naive: its own date
    ],
)
def test_day(value, locale, text):
    assert fmt.day(value, locale=locale) == text


def test_aware_datetimes_are_shown_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    late = datetime.datetime(2026, 1, 6, 2, 30, tzinfo=datetime.UTC)  # 21:30 the day before in New York
    assert fmt.day(late, locale="en_US") == "Jan 5, 2026"
    assert fmt.moment(late, locale="en_US") == "Jan 5, 2026 9:30\u202fPM"
    assert fmt.moment(late, locale="de_DE") == "05.01.2026 21:30"


def test_none_is_empty():
    assert fmt.amount(None, 2) == fmt.money(None, 2, symbol="$") == fmt.quantity(None) == ""
    assert fmt.day(None) == fmt.moment(None) == ""


def test_the_default_locale_comes_from_language_code(settings):
    assert fmt.default_locale() == "en_US"
    settings.LANGUAGE_CODE = "de-de"
    assert fmt.amount(D("1234.5"), 2) == "1.234,50"


def test_floats_are_refused():
    with pytest.raises(TypeError):
        fmt.amount(1.235, 2)  # type: ignore[arg-type]


@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False),
    places=st.integers(min_value=0, max_value=4),
    locale=st.sampled_from(["en_US", "de_DE", "fr_FR", "sv_SE", "ja_JP", "pt_BR", "es_ES"]),
)
def test_the_fast_path_prints_what_babel_prints(value, places, locale):
    """Babel is the reference for separators and signs; rounding is ours (half-up) before it.

    Not de_CH: its group separator is "'", and Babel's last step (unquoting pattern literals) eats two
    of them: 1'000'000 comes out as 1000000. Ours keeps them (see test_amount)."""
    loc = Locale.parse(locale)
    number = parse_pattern(loc.decimal_formats[None].pattern)
    number.frac_prec = (places, places)
    rounded = round_half_up(value, places)
    assert fmt.amount(value, places, locale=locale) == number.apply(rounded, loc)
    currency = parse_pattern(loc.currency_formats["standard"].pattern)
    currency.frac_prec = (places, places)
    expected = currency.apply(rounded, loc, currency="XTS", currency_digits=False)
    assert fmt.money(value, places, symbol="XTS", locale=locale) == expected


# --- every surface goes through it ----------------------------------------------------------------


@pytest.fixture
def dinar_invoice(db, rep, usd) -> Invoice:
    """An active invoice in a 3-decimal currency whose total is 1.235 (5 × 0.247)."""
    org = OrganizationSettings.load()
    org.pricing_precision = 3
    org.save()
    kwd = factories.CurrencyFactory(code="KWD", name="Kuwaiti Dinar", symbol="KD", precision=3)
    customer = factories.AccountFactory(default_price_list=None)
    invoice = services.document_create(
        Invoice, by=rep, customer=customer, name="Dinar deal", currency=kwd, price_list=None
    )
    services.line_add(
        document=invoice, by=rep, write_in_name="Dates", quantity=D("5"), price_per_unit=D("0.247")
    )
    invoice.refresh_from_db()
    assert invoice.total_amount == D("1.235")
    return invoice


@pytest.fixture
def plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def browsing(client, rep, plain_static):
    client.force_login(rep)
    return client


def test_the_invoice_list_shows_a_3_decimal_total_at_3_decimals(browsing, dinar_invoice):
    html = browsing.get(reverse("invoice_list")).content.decode()
    row = next(r for r in html.split('data-testid="list-row"')[1:] if "Dinar deal" in r)
    assert ">1.235<" in row and "1.24" not in row
    assert fmt.day(dinar_invoice.invoice_date) in row


def test_the_invoice_page_shows_totals_and_grid_at_the_currency_precision(browsing, dinar_invoice):
    html = browsing.get(url_of(dinar_invoice)).content.decode()
    assert 'data-testid="total_amount">1.235<' in html
    assert 'data-testid="line-extended_amount">1.235<' in html
    assert 'data-testid="line-price_per_unit">0.247<' in html


def test_the_invoice_page_follows_the_locale(browsing, dinar_invoice, settings):
    settings.LANGUAGE_CODE = "de-de"
    html = browsing.get(url_of(dinar_invoice)).content.decode()
    assert 'data-testid="total_amount">1,235<' in html
    assert 'data-testid="line-extended_amount">1,235<' in html


def test_the_timeline_shows_its_times_through_the_formatter(browsing, dinar_invoice):
    html = browsing.get(url_of(dinar_invoice)).content.decode()
    event = TimelineEvent.objects.filter(document_id=dinar_invoice.pk).latest("at")
    assert fmt.moment(event.at) in html.split('data-testid="timeline"', 1)[1]


def test_the_dashboard_shows_a_3_decimal_balance_at_3_decimals_and_the_total_in_the_base(
    browsing, dinar_invoice
):
    html = browsing.get(reverse("home")).content.decode()
    card = html.split('data-testid="dash-invoices"', 1)[1].split("</section>", 1)[0]
    rows = (
        card.split("</h2>", 1)[1].split('data-testid="dash-invoices-total"', 1)[1].split("</span></span>", 1)
    )
    assert "KWD 1.235" in rows[1] and "KWD 1.24" not in rows[1]  # the invoice, in its currency
    assert "USD 1.24" in rows[0]  # the total, in the base currency (rate 1, 2 decimals), labelled
    assert "Balance due (USD)" in card


def test_the_pdf_html_shows_a_3_decimal_total_at_3_decimals(dinar_invoice):
    html = rendering.invoice_html(dinar_invoice).html
    assert "KD1.235" in html and "KD1.24<" not in html
    assert fmt.day(dinar_invoice.invoice_date) in html
