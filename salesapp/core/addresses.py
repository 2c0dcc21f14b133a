"""Postal addresses as groups of columns named like D365's (address1_line1, billto_city, …)."""

from functools import lru_cache

from babel import Locale
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


# Names people type for a country that are neither its ISO code nor a CLDR name.
_COUNTRY_ALIASES = {
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "UK": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
}
# CLDR territories with two letters that are not ISO 3166-1 countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
# The CLDR languages whose country names we recognise ("Deutschland", "Allemagne", "Germany").
_NAME_LOCALES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "pl")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in reversed(_NAME_LOCALES):  # English wins where two languages disagree
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                names[name.casefold()] = code
    for code in list(names.values()):
        names[code.casefold()] = code
    names.update({alias.casefold(): code for alias, code in _COUNTRY_ALIASES.items()})
    return names


def country_code(text: str | None) -> str:
    """The ISO 3166-1 alpha-2 code of a typed country ("US", "United States", "usa", "Deutschland"
    → "US", "US", "US", "DE"); "" when it can't be told. The address columns hold what users typed
    (Dynamics 365's country is free text); documents and e-invoices need the code."""
    key = " ".join((text or "").split()).casefold()
    return _country_names().get(key, "") if key else ""
