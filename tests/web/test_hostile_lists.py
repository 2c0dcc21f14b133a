"""Hostile query strings on every screen without a parameter in its path (the lists, the dashboard, the
create forms, the product lookup): each is ignored or refused, never a 500, and nothing is written."""

from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api.test_fuzz import fingerprint

pytestmark = pytest.mark.django_db

PARAMS = [
    "page",
    "owner",
    "state",
    "sort",
    "q",
    "customer",
    "from",
    "to",
    "next",
    "inline",
    "_",
    "after",
    "before",
]
VALUES = [
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # int() reads Arabic-Indic digits
    "１",
    "\x00",
    "a\x00b",
    "9" * 30,  # more than any id column holds
    "-1",
    "0",
    "1e9",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "٢٠٢٤-٠١-٠١",
    "x" * 5000,
    "'; DROP TABLE sales_invoice; --",
    "<script>alert(1)</script>",
    "me",
]
RAW = ["%ED%A0%80", "%FF%FE", "%C0%80", "%00", "page=1&page=2", "owner=1&owner=%C2%B2"]


def screens() -> list[str]:
    """Names of the URL patterns that take no argument, except the API, admin and login."""
    names: list[str] = []

    def walk(patterns, prefix: str, namespace: str = "") -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin",) or str(entry.pattern).startswith(("api/", "admin/")):
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif (
                isinstance(entry, URLPattern)
                and entry.name
                and not entry.pattern.converters
                and "(?P<" not in str(entry.pattern)
                and entry.name not in ("login", "logout")
            ):
                names.append(namespace + entry.name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


@pytest.fixture
def boss_client(client, boss):
    client.force_login(boss)
    return client


def test_the_screens_are_found():
    found = screens()
    for name in ("invoice_list", "quote_list", "account_list", "product_list", "home", "product_lookup"):
        assert name in found, found


@pytest.mark.parametrize("name", screens())
def test_hostile_query_strings_never_500(boss_client, opportunity, name):
    url = reverse(name)
    before = fingerprint()
    for value in VALUES:
        query = "&".join(f"{param}={quote(value, safe='')}" for param in PARAMS)
        response = boss_client.get(f"{url}?{query}")
        assert response.status_code in (200, 302, 400, 403, 404, 405), (name, value, response.status_code)
    for raw in RAW:
        for param in ("page", "owner", "q", "customer"):
            response = boss_client.get(f"{url}?{param}={raw}")
            assert response.status_code in (200, 302, 400, 403, 404, 405), (name, raw)
    assert fingerprint() == before


@pytest.mark.parametrize("value", ["²", "١", "9" * 30, "\x00"])
def test_owner_filter_ignores_what_is_not_a_user_id(boss_client, opportunity, value):
    response = boss_client.get(reverse("opportunity_list"), {"owner": value})
    assert response.status_code == 200
    assert opportunity.name in response.content.decode()


def test_a_nul_in_the_search_is_dropped(boss_client, opportunity):
    response = boss_client.get(reverse("opportunity_list"), {"q": opportunity.name[:3] + "\x00"})
    assert response.status_code == 200
    assert opportunity.name in response.content.decode()
