"""Currencies and exchange rates (SPEC §10): one service, `currency_save`, for screens and API."""

from decimal import Decimal

import pytest

from salesapp.catalog import services
from salesapp.catalog.models import Currency, PriceList
from salesapp.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def new_currency(**changes):
    values = {"code": "eur", "name": "Euro", "symbol": "€", "precision": 2, "exchange_rate": Decimal("0.9")}
    return services.currency_save(currency=Currency(), **(values | changes))


def test_a_new_currency_is_stored_with_its_code_in_capitals(usd):
    eur = new_currency()
    assert (eur.code, eur.exchange_rate, eur.rate_revision) == ("EUR", Decimal("0.9"), 0)


def test_a_rate_change_bumps_the_revision_and_the_same_rate_does_not(usd):
    eur = new_currency()
    services.currency_save(currency=eur, exchange_rate=Decimal("0.95"))
    services.currency_save(currency=eur, exchange_rate=Decimal("0.95"), name="Euro (EU)")
    eur.refresh_from_db()
    assert (eur.exchange_rate, eur.rate_revision, eur.name) == (Decimal("0.95"), 1, "Euro (EU)")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exchange_rate": Decimal("0")}, "exchange_rate"),
        ({"exchange_rate": Decimal("-1")}, "exchange_rate"),
        ({"code": "EURO"}, "code"),
        ({"code": "E1R"}, "code"),
        ({"precision": 7}, "precision"),
        ({"code": "USD"}, "code"),  # taken
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_currency_input_names_the_field_and_saves_nothing(usd, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        new_currency(**changes)
    assert refused.value.field == field
    assert list(Currency.objects.values_list("code", flat=True)) == ["USD"]


def test_the_base_currency_keeps_the_rate_one(usd):
    with pytest.raises(ValidationFailed) as refused:
        services.currency_save(currency=usd, exchange_rate=Decimal("2"))
    assert refused.value.field == "exchange_rate"
    usd.refresh_from_db()
    assert usd.exchange_rate == 1


def test_code_and_precision_are_fixed_once_something_prices_in_the_currency(usd):
    eur = new_currency()
    services.price_list_save(price_list=PriceList(), name="Euro list", currency=eur)
    for changes in ({"code": "EUX"}, {"precision": 3}):
        with pytest.raises(ValidationFailed) as refused:
            services.currency_save(currency=eur, **changes)
        assert refused.value.field == next(iter(changes)) and "price lists" in refused.value.message
    services.currency_save(currency=eur, exchange_rate=Decimal("0.8"), symbol="EUR")


def test_the_base_currency_cannot_change_once_in_use(usd):
    eur = new_currency(exchange_rate=Decimal("1"))
    services.price_list_save(price_list=PriceList(), name="Dollar list", currency=usd)
    with pytest.raises(ValidationFailed) as refused:
        services.organization_settings_save(by=None, default_currency=eur)
    assert refused.value.field == "default_currency"
