"""Units and unit groups over the Web API: changed and deleted through the same services as the screens."""

from decimal import Decimal

import pytest

from salesapp.catalog.models import Unit, UnitGroup

pytestmark = pytest.mark.django_db


def test_a_manager_renames_rescales_and_deletes_units(boss_api):
    group = boss_api.create("uomschedules", {"name": "Packs", "baseuomname": "Each"})
    each = Unit.objects.get(group_id=group).pk
    box = boss_api.create(
        "uoms", {"name": "Box", "quantity": 12, "uomscheduleid@odata.bind": f"/uomschedules({group})"}
    )
    crate = boss_api.create(
        "uoms",
        {
            "name": "Crate",
            "quantity": 4,
            "uomscheduleid@odata.bind": f"/uomschedules({group})",
            "baseuom@odata.bind": f"/uoms({box})",
        },
    )

    assert boss_api.patch(f"uomschedules({group})", {"name": "Packaging"}).status == 204
    assert boss_api.patch(f"uoms({box})", {"name": "Carton", "quantity": 10}).status == 204
    assert UnitGroup.objects.get(pk=group).name == "Packaging"
    assert Unit.objects.filter(pk=box).values_list("name", "quantity").get() == ("Carton", Decimal("10"))

    # The service's rules come back as 400s naming why, and change nothing.
    reply = boss_api.patch(f"uoms({each})", {"quantity": 2})
    assert reply.status == 400 and "primary unit" in reply.error
    reply = boss_api.patch(f"uoms({box})", {"baseuom@odata.bind": f"/uoms({crate})"})
    assert reply.status == 400 and "counted in" in reply.error
    reply = boss_api.call("DELETE", f"uoms({box})")
    assert reply.status == 400 and "base unit of Crate" in reply.error
    assert Unit.objects.filter(group_id=group).count() == 3

    assert boss_api.call("DELETE", f"uoms({crate})").status == 204
    assert boss_api.call("DELETE", f"uoms({box})").status == 204
    assert list(Unit.objects.filter(group_id=group).values_list("name", flat=True)) == ["Each"]


def test_a_salesperson_may_not_change_units(rep_api, product):
    unit = product.default_unit
    for method, body in (("PATCH", {"name": "Nope"}), ("DELETE", None)):
        reply = rep_api.call(method, f"uoms({unit.pk})", body)
        assert reply.status == 403 and "Sales manager" in reply.error
    reply = rep_api.call("PATCH", f"uomschedules({unit.group_id})", {"name": "Nope"})
    assert reply.status == 403
    unit.refresh_from_db()
    assert unit.name != "Nope" and unit.group.name != "Nope"
