"""A price list prices a product in a unit once: a second item says so next to the product field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import PriceListItem

from .test_forms import field_error

pytestmark = pytest.mark.django_db

ITEM = {"pricing_method": "1", "amount": "80.00", "rounding_policy": "1", "quantity_selling": "1"}


def items(price_list) -> list[tuple]:
    return sorted(price_list.items.values_list("product__name", "unit__name", "amount"))


def test_adding_a_second_item_for_the_same_product_and_unit(client, boss, price_list, product):
    client.force_login(boss)
    before = items(price_list)
    for unit in ("", product.default_unit.pk):  # empty: the product's default unit
        response = client.post(
            reverse("price_list_item_create", args=[price_list.pk]),
            {**ITEM, "product": product.pk, "unit": unit},
        )
        assert response.status_code == 200
        message = field_error(response.content.decode(), "product")
        assert f"Retail already prices {product.name} in the unit {product.default_unit.name}" in message
    assert items(price_list) == before


def test_moving_an_item_onto_a_unit_already_priced(client, boss, price_list, product):
    box = catalog_services.unit_create(group=product.unit_group, name="Box", quantity=Decimal("12"))
    boxed = catalog_services.price_list_item_save(
        item=PriceListItem(), price_list=price_list, product=product, unit=box, amount=Decimal("1100.00")
    )
    client.force_login(boss)
    before = items(price_list)
    response = client.post(
        reverse("price_list_item_detail", args=[price_list.pk, boxed.pk]),
        {**ITEM, "product": product.pk, "unit": product.default_unit.pk},
    )
    assert "already prices" in field_error(response.content.decode(), "product")
    assert items(price_list) == before
    # saving the item itself again is no duplicate
    response = client.post(
        reverse("price_list_item_detail", args=[price_list.pk, boxed.pk]),
        {**ITEM, "product": product.pk, "unit": box.pk},
    )
    assert response.status_code == 302
    assert (product.name, "Box", Decimal("80.00")) in items(price_list)
