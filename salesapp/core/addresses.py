"""Postal addresses as groups of columns named like D365's (address1_line1, billto_city, …)."""

from django.db import models

ADDRESS_PARTS = ("line1", "line2", "line3", "city", "stateorprovince", "postalcode", "country")
PART_LABELS = {
    "name": "name",
    "line1": "street 1",
    "line2": "street 2",
    "line3": "street 3",
    "city": "city",
    "stateorprovince": "state / province",
    "postalcode": "ZIP / postal code",
    "country": "country / region",
}


def address_fields(prefix: str, *, with_name: bool = False) -> list[str]:
    parts = (("name",) if with_name else ()) + ADDRESS_PARTS
    return [f"{prefix}_{part}" for part in parts]


def address_model(prefix: str, label: str, *, with_name: bool = False) -> type[models.Model]:
    """An abstract model holding one address as `<prefix>_<part>` columns."""
    attrs: dict[str, object] = {"__module__": __name__, "Meta": type("Meta", (), {"abstract": True})}
    for name in address_fields(prefix, with_name=with_name):
        part = name[len(prefix) + 1 :]
        size = 20 if part == "postalcode" else 250 if part.startswith("line") else 100
        attrs[name] = models.CharField(f"{label} {PART_LABELS[part]}", max_length=size, blank=True)
    return type(f"{prefix.title()}Address", (models.Model,), attrs)


Address1 = address_model("address1", "billing")
Address2 = address_model("address2", "shipping")
BillTo = address_model("billto", "bill to", with_name=True)
ShipTo = address_model("shipto", "ship to", with_name=True)
