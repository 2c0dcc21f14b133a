"""Currencies screens (SPEC §10): salespeople read the list, managers create currencies and set rates
through catalog.services.currency_save."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.catalog.models import Currency

pytestmark = pytest.mark.django_db

EURO = {"code": "eur", "name": "Euro", "symbol": "€", "precision": "2", "exchange_rate": "0.92"}


def test_the_list_shows_each_currency_and_its_rate_against_the_base(client, rep, usd):
    Currency.objects.create(code="EUR", name="Euro", symbol="€", precision=2, exchange_rate=Decimal("0.9215"))
    client.force_login(rep)
    page = client.get(reverse("currency_list")).content.decode()
    assert "1 USD = 0.9215 EUR" in page and "Euro" in page and "€" in page
    assert "1 USD = 1.00 USD (base currency)" in page
    assert reverse("currency_create") not in page  # New is a manager's
    sitemap = page.split('data-testid="sitemap"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("currency_list")}">Currencies' in sitemap


def test_a_manager_creates_a_currency_and_changes_its_rate(client, boss, usd):
    client.force_login(boss)
    response = client.post(reverse("currency_create"), EURO)
    eur = Currency.objects.get(code="EUR")
    assert response.status_code == 302 and response["Location"] == reverse("currency_detail", args=[eur.pk])
    assert (eur.name, eur.symbol, eur.precision, eur.exchange_rate) == ("Euro", "€", 2, Decimal("0.92"))
    response = client.post(reverse("currency_detail", args=[eur.pk]), EURO | {"exchange_rate": "0.95"})
    assert response.status_code == 302
    eur.refresh_from_db()
    assert (eur.exchange_rate, eur.rate_revision) == (Decimal("0.95"), 1)
    page = client.get(reverse("currency_list")).content.decode()
    assert "1 USD = 0.95 EUR" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "EURO"}, "code", ""),
        ({"code": "E1R"}, "code", "three letters"),
        ({"code": "usd"}, "code", ""),
        ({"exchange_rate": "0"}, "exchange_rate", "more than 0"),
        ({"exchange_rate": "-2"}, "exchange_rate", "more than 0"),
        ({"exchange_rate": "abc"}, "exchange_rate", ""),
        ({"precision": "7"}, "precision", "between 0 and 4"),
    ],
)
def test_bad_currency_input_is_shown_next_to_its_field_and_saves_nothing(
    client, boss, usd, changes, field, message
):
    client.force_login(boss)
    response = client.post(reverse("currency_create"), EURO | changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert list(Currency.objects.values_list("code", flat=True)) == ["USD"]


def test_the_base_currency_keeps_the_rate_one(client, boss, usd):
    client.force_login(boss)
    response = client.post(
        reverse("currency_detail", args=[usd.pk]),
        {"code": "USD", "name": "US Dollar", "symbol": "$", "precision": "2", "exchange_rate": "1.1"},
    )
    assert response.status_code == 200
    assert "always 1" in " ".join(response.context["form"].errors["exchange_rate"])
    usd.refresh_from_db()
    assert usd.exchange_rate == 1


def test_a_salesperson_may_read_currencies_but_not_create_or_edit_them(client, rep, usd):
    client.force_login(rep)
    assert client.get(reverse("currency_create")).status_code == 403
    assert client.post(reverse("currency_create"), EURO).status_code == 403
    assert not Currency.objects.filter(code="EUR").exists()
    detail = reverse("currency_detail", args=[usd.pk])
    page = client.get(detail)
    assert page.status_code == 200 and "Read-only" in page.content.decode()
    response = client.post(detail, {"code": "USD", "name": "Dollar", "symbol": "$", "precision": "2"})
    assert response.status_code == 403
    usd.refresh_from_db()
    assert usd.name == "US Dollar"


def test_someone_without_a_sales_role_gets_no_currency_screen(client, nobody, usd):
    client.force_login(nobody)
    assert client.get(reverse("currency_list")).status_code == 403
