"""Defaults the Web API used to fill in itself now live in the catalog services (one door per rule):
every path — screens, API, commands — gets them."""

import pytest

from salesapp.catalog import services
from salesapp.catalog.models import PriceList, Product
from salesapp.core.exceptions import ValidationFailed
from salesapp.core.models import OrganizationSettings

pytestmark = pytest.mark.django_db


def test_a_price_list_without_a_currency_is_in_the_base_currency(usd):
    price_list = services.price_list_save(price_list=PriceList(), name="Example Price List")
    assert price_list.currency == usd


def test_without_a_base_currency_the_price_list_is_refused_naming_the_field(usd):
    OrganizationSettings.objects.filter(pk=1).update(default_currency=None)
    with pytest.raises(ValidationFailed) as refused:
        services.price_list_save(price_list=PriceList(), name="Nowhere")
    assert refused.value.field == "currency"
    assert not PriceList.objects.filter(name="Nowhere").exists()


def test_a_product_takes_its_unit_group_from_its_unit_and_its_unit_from_its_group():
    group = services.unit_group_create(name="Hardware", base_unit_name="Each")
    each = group.units.get()
    from_unit = services.product_save(product=Product(), product_number="A", name="A", default_unit=each)
    from_group = services.product_save(product=Product(), product_number="B", name="B", unit_group=group)
    assert (from_unit.unit_group, from_group.default_unit) == (group, each)
