"""Units are edited and deleted from their unit group's record page (catalog, Sales managers only)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import PriceList, PriceListItem, Unit, UnitGroup
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales import services
from salesapp.sales.models import Opportunity
from tests import factories

from .test_forms import field_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def weight(db) -> UnitGroup:
    """Weight: Gram (primary), Kilogram = 1000 Gram, Tonne = 1000 Kilogram."""
    group = catalog_services.unit_group_create(name="Weight", base_unit_name="Gram")
    kilogram = catalog_services.unit_create(group=group, name="Kilogram", quantity=Decimal("1000"))
    catalog_services.unit_create(group=group, name="Tonne", quantity=Decimal("1000"), base_unit=kilogram)
    return group


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def units_of(group: UnitGroup) -> list[tuple]:
    return sorted(group.units.values_list("name", "quantity", "base_unit__name"))


def edit(client, unit_name: str, /, **data):
    u = unit(unit_name)
    return client.post(reverse("unit_detail", args=[u.group_id, u.pk]), data)


def delete(client, name: str) -> str:
    """POST the Delete button and return the page the manager lands on (with its flash message)."""
    u = unit(name)
    response = client.post(reverse("unit_delete", args=[u.group_id, u.pk]), follow=True)
    assert response.redirect_chain == [(reverse("unit_group_detail", args=[u.group_id]), 302)]
    return response.content.decode()


def test_the_units_table_links_each_unit_and_offers_delete_to_managers(client, boss, rep, weight):
    client.force_login(boss)
    page = client.get(reverse("unit_group_detail", args=[weight.pk])).content.decode()
    for name in ("Gram", "Kilogram", "Tonne"):
        assert reverse("unit_detail", args=[weight.pk, unit(name).pk]) in page
    assert reverse("unit_delete", args=[weight.pk, unit("Tonne").pk]) in page
    assert (
        reverse("unit_delete", args=[weight.pk, unit("Gram").pk]) not in page
    )  # the primary unit never goes
    client.force_login(rep)
    page = client.get(reverse("unit_group_detail", args=[weight.pk])).content.decode()
    assert reverse("unit_detail", args=[weight.pk, unit("Tonne").pk]) in page
    assert reverse("unit_delete", args=[weight.pk, unit("Tonne").pk]) not in page
    page = client.get(reverse("unit_detail", args=[weight.pk, unit("Tonne").pk])).content.decode()
    assert "Read-only" in page and ">Save<" not in page


def test_manager_renames_a_unit_and_changes_what_it_holds(client, boss, weight, opportunity, price_list):
    client.force_login(boss)
    revision, total = price_list.revision, opportunity.total_amount
    response = edit(client, "Tonne", name="Metric ton", quantity="1000000", base_unit=unit("Gram").pk)
    assert response.status_code == 302 and response["Location"] == reverse(
        "unit_group_detail", args=[weight.pk]
    )
    assert units_of(weight) == [
        ("Gram", Decimal("1"), None),
        ("Kilogram", Decimal("1000"), "Gram"),
        ("Metric ton", Decimal("1000000"), "Gram"),
    ]
    # an empty base unit means the group's primary unit, as on Add Unit
    edit(client, "Kilogram", name="Kilogram", quantity="1000", base_unit="")
    assert unit("Kilogram").base_unit == unit("Gram")
    # pricing never reads a unit's quantity: price lists and open documents are left alone
    price_list.refresh_from_db()
    assert price_list.revision == revision
    assert Opportunity.objects.get(pk=opportunity.pk).total_amount == total


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "Tonne", "quantity": "0", "base_unit": "Kilogram"}, "quantity", "greater than zero"),
        ({"name": "Tonne", "quantity": "-5", "base_unit": "Kilogram"}, "quantity", "greater than zero"),
        (
            {"name": "Kilogram", "quantity": "1000", "base_unit": "Kilogram"},
            "name",
            "already has a unit named Kilogram",
        ),
        ({"name": "", "quantity": "1000", "base_unit": "Kilogram"}, "name", "required"),
    ],
)
def test_bad_unit_input_shows_next_to_the_field_and_saves_nothing(client, boss, weight, data, field, words):
    client.force_login(boss)
    before = units_of(weight)
    response = edit(client, "Tonne", **{**data, "base_unit": unit(data["base_unit"]).pk})
    assert response.status_code == 200
    assert words in field_error(response.content.decode(), field)
    assert units_of(weight) == before


def test_a_unit_cant_be_counted_in_itself_even_through_other_units(client, boss, weight):
    client.force_login(boss)
    before = units_of(weight)
    response = edit(client, "Kilogram", name="Kilogram", quantity="0.001", base_unit=unit("Tonne").pk)
    message = field_error(response.content.decode(), "base_unit")
    assert "Kilogram can&#x27;t be counted in Tonne: Tonne is itself counted in Kilogram." in message
    with pytest.raises(ValidationFailed, match="can't be counted in itself") as exc:
        catalog_services.unit_save(unit=unit("Tonne"), base_unit=unit("Tonne"))
    assert exc.value.field == "base_unit"
    assert units_of(weight) == before


def test_the_base_unit_must_be_in_the_same_group(weight):
    other = catalog_services.unit_group_create(name="Time", base_unit_name="Hour")
    with pytest.raises(ValidationFailed, match="same unit group") as exc:
        catalog_services.unit_save(unit=unit("Tonne"), base_unit=other.base_unit)
    assert exc.value.field == "base_unit"
    with pytest.raises(ValidationFailed, match="group can't be changed"):
        catalog_services.unit_save(unit=unit("Tonne"), group=other)
    assert unit("Tonne").base_unit == unit("Kilogram") and unit("Tonne").group == weight


def test_the_primary_unit_keeps_quantity_1_and_no_base_unit(client, boss, weight):
    client.force_login(boss)
    gram = unit("Gram")
    page = client.get(reverse("unit_detail", args=[weight.pk, gram.pk])).content.decode()
    assert "always 1 × itself" in page
    # the form's quantity and base unit are disabled: what a browser posts there is ignored
    response = edit(client, "Gram", name="Grams", quantity="7", base_unit=unit("Kilogram").pk)
    assert response.status_code == 302
    assert units_of(weight)[0] == ("Grams", Decimal("1"), None)
    # …and the service refuses it from any other caller
    for changes, field in (
        ({"quantity": Decimal("7")}, "quantity"),
        ({"base_unit": unit("Kilogram")}, "base_unit"),
    ):
        with pytest.raises(ValidationFailed, match="primary unit") as exc:
            catalog_services.unit_save(unit=unit("Grams"), **changes)
        assert exc.value.field == field
    assert units_of(weight)[0] == ("Grams", Decimal("1"), None)


def test_an_unused_unit_is_deleted(client, boss, weight):
    client.force_login(boss)
    page = delete(client, "Tonne")
    assert "Unit Tonne deleted." in page
    assert [name for name, *_ in units_of(weight)] == ["Gram", "Kilogram"]


def sold_in_box(rep, account) -> None:
    """A quote line for a product in Box, priced by hand (no price list item for Box)."""
    box = unit("Box")
    product = factories.ProductFactory(unit_group=box.group, name="Nails")
    opp = services.document_create(Opportunity, by=rep, customer=account, name="Nails deal")
    services.line_add(
        document=opp,
        by=rep,
        product=product,
        unit=box,
        quantity=Decimal("3"),
        price_per_unit=Decimal("9.00"),
        is_price_overridden=True,
    )
    services.opportunity_generate_quote(opportunity=opp, by=rep)


def default_unit_of_a_product(rep, account) -> None:
    factories.ProductFactory(unit_group=unit("Box").group, name="Screws", default_unit=unit("Box"))


def priced_in_box(rep, account) -> None:
    box = unit("Box")
    product = factories.ProductFactory(unit_group=box.group, name="Bolts")
    catalog_services.price_list_item_save(
        item=PriceListItem(),
        price_list=PriceList.objects.get(name="Retail"),
        product=product,
        unit=box,
        amount=Decimal("5.00"),
    )


def counted_in_box(rep, account) -> None:
    catalog_services.unit_create(
        group=unit("Box").group, name="Crate", quantity=Decimal("10"), base_unit=unit("Box")
    )


@pytest.mark.parametrize(
    ("use", "deleting", "reason"),
    [
        (None, "Each", "it is the primary unit of its group"),
        (counted_in_box, "Box", "it is the base unit of Crate"),
        (default_unit_of_a_product, "Box", "it is the default unit of the product Screws"),
        (priced_in_box, "Box", "the price list Retail prices Bolts in it"),
        (sold_in_box, "Box", "it is used on lines of opportunities, quotes"),
    ],
)
def test_a_unit_in_use_is_not_deleted_and_the_flash_says_why(
    client, boss, rep, account, use, deleting, reason
):
    group = catalog_services.unit_group_create(name="Hardware", base_unit_name="Each")
    catalog_services.unit_create(group=group, name="Box", quantity=Decimal("12"))
    if use is not None:
        use(rep, account)
    before = units_of(group)
    client.force_login(boss)
    page = delete(client, deleting)
    assert f"The unit {deleting} can&#x27;t be deleted: {reason}" in page
    assert units_of(group) == before
