"""Writes that get past parsing: valid lookups, hostile attribute values, missing required parts.

The first fuzz test mostly meets the parser; this one starts from a body that would be accepted and
breaks one thing at a time, so the services' own checks (and the database's) are reached.
"""

import json
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesapp.api.entities import BY_SET
from tests.api.conftest import Api, token_for
from tests.api.test_fuzz import fingerprint
from tests.api.world import build_world

NUMBERS = st.one_of(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), allow_nan=False, places=6),
    st.sampled_from(
        [
            0,
            -1,
            1,
            Decimal("0.00001"),
            Decimal("999999999999.9999"),
            Decimal("1000000000000"),
            Decimal("-0.01"),
            100,
            101,
            2_000_000_001,
        ]
    ),
)
VALUES = st.one_of(
    NUMBERS,
    st.booleans(),
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["2024-02-29", "2023-02-29", "1900-01-01", "9999-12-31", "x" * 301]),
)


def base_bodies(world: dict) -> dict[str, dict]:
    def bind(set_name: str) -> str:
        return f"/{set_name}({world[set_name]})"

    customer = {"name": "Fuzz", "customerid_account@odata.bind": bind("accounts")}
    write_in = {"isproductoverridden": True, "productdescription": "Fuzz", "priceperunit": 1, "quantity": 1}
    return {
        "accounts": {"name": "Fuzz"},
        "contacts": {"lastname": "Fuzz"},
        "uomschedules": {"name": "Fuzz units", "baseuomname": "Each"},
        "uoms": {"name": "Box", "quantity": 12, "uomscheduleid@odata.bind": bind("uomschedules")},
        "products": {
            "productnumber": "FZ-1",
            "name": "Fuzz",
            "defaultuomscheduleid@odata.bind": bind("uomschedules"),
        },
        "pricelevels": {"name": "Fuzz prices"},
        "productpricelevels": {
            "pricelevelid@odata.bind": bind("pricelevels"),
            "productid@odata.bind": bind("products"),
            "amount": 5,
        },
        "discounttypes": {"name": "Fuzz list"},
        "discounts": {
            "discounttypeid@odata.bind": bind("discounttypes"),
            "lowquantity": 10,
            "highquantity": 20,
            "percentage": 1,
        },
        "opportunities": customer,
        "quotes": customer,
        "salesorders": customer,
        "invoices": customer,
        "opportunityproducts": {"opportunityid@odata.bind": bind("opportunities"), **write_in},
        "quotedetails": {"quoteid@odata.bind": bind("quotes"), **write_in},
        "salesorderdetails": {"salesorderid@odata.bind": bind("salesorders"), **write_in},
        "invoicedetails": {"invoiceid@odata.bind": bind("invoices"), **write_in},
        "transactioncurrencies": {
            "isocurrencycode": "FZZ",
            "currencyname": "Fuzz",
            "currencysymbol": "F",
            "currencyprecision": 2,
            "exchangerate": Decimal("1.5"),
        },
        "invoicepayments": {"invoiceid@odata.bind": bind("invoices"), "amount": 1, "reference": "Fuzz"},
    }


@pytest.mark.django_db
def test_hostile_values_in_otherwise_valid_writes(rep, boss, opportunity, price_list, product):
    world = build_world(rep=rep, boss=boss, opportunity=opportunity, price_list=price_list, product=product)
    api = Api(token_for(boss))
    doc = json.loads(json.dumps(api.get("openapi.json").body, default=str))
    schemas = doc["components"]["schemas"]
    bases = base_bodies(world)
    for set_name, body in bases.items():  # every base body is a valid create
        reply = api.post(set_name, body)
        assert reply.status in (204, 400), (
            set_name,
            reply.body,
        )  # 400: a unique name taken by the line above
    seen: Counter[int] = Counter()

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def write(data: st.DataObject) -> None:
        set_name = data.draw(st.sampled_from(sorted(bases)), label="set")
        logical = BY_SET[set_name].logical
        creating = data.draw(st.booleans(), label="create")
        props = [
            p
            for p in schemas[f"{logical}.{'create' if creating else 'update'}"]["properties"]
            if not p.endswith("@odata.bind") and p != "@odata.type"
        ]
        body = dict(bases[set_name]) if creating else {}
        for key in data.draw(st.sets(st.sampled_from(sorted(body) or ["x"]), max_size=2), label="drop"):
            body.pop(key, None)
        if props:
            body.update(
                data.draw(
                    st.dictionaries(st.sampled_from(props), VALUES, min_size=1, max_size=3), label="set"
                )
            )
        before = fingerprint()
        reply = api.post(set_name, body) if creating else api.patch(f"{set_name}({world[set_name]})", body)
        seen[reply.status] += 1
        assert reply.status < 500, (set_name, body, reply.body)
        if reply.status >= 400:
            assert fingerprint() == before, (set_name, body, reply.status, reply.body)

    write()
    assert seen[400] > 50 and seen[204] > 10, seen
