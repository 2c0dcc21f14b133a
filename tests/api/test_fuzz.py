"""Hostile input on every route of the OpenAPI document: never a 500, never a stray write.

Hypothesis builds bodies from each route's own schema (right names, wrong everything else), raw
garbage, bad GUIDs and broken query options; after every refused request the database must be
exactly as before.
"""

import json
import uuid
from collections import Counter
from urllib.parse import quote

import pytest
from django.db.models import Count, Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesapp.api.entities import ENTITIES
from salesapp.sales.models import TimelineEvent
from tests.api.conftest import Api, token_for
from tests.api.world import build_world

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e999",
            "NaN",
            "null",
            "/accounts(x)",
            "/pricelevels(00000000-0000-0000-0000-000000000000)",
            "00000000-0000-0000-0000-000000000000",
            "'; DROP TABLE sales_invoice; --",
            "\x00",
            "🧾" * 30,
            "2024-02-30",
            "x" * 1000,
            "{}",
            "<script>alert(1)</script>",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=6,
)
RAW = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            b"{",
            b"[]",
            b"null",
            b'{"a":',
            b"\xff\xfe",
            b'{"x": 1e99999}',
            b'{"name": "a"' + b", " * 10 + b"}",
            b"[" * 5000,
        ]
    ),
)
FILTERS = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.sampled_from(
            [
                "name",
                "totalamount",
                "statecode",
                "_customerid_value",
                "eq",
                "ne",
                "gt",
                "and",
                "or",
                "not",
                "(",
                ")",
                "'x'",
                "''",
                "null",
                "1.5",
                "-3",
                "true",
                "contains(",
                ",",
                "00000000-0000-0000-0000-000000000000",
                "2024-01-01",
                "createdon",
                "nosuch",
            ]
        ),
        max_size=8,
    ).map(" ".join),
)
QUERY_KEYS = ["$filter", "$select", "$orderby", "$top", "$expand", "$skiptoken", "$count"]


def fingerprint() -> tuple:
    rows = []
    for entity in ENTITIES:
        agg = entity.model.objects.aggregate(n=Count("pk"), m=Max("modified_on"))
        rows.append((entity.set_name, agg["n"], agg["m"]))
    rows.append(("timeline", TimelineEvent.objects.count(), None))
    return tuple(rows)


def routes(doc: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete") and path != "/openapi.json"
    ]


def body_props(doc: dict, op: dict) -> list[str]:
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return list(schema.get("properties", {}))


@pytest.mark.django_db
def test_hostile_input_on_every_route(rep, boss, opportunity, price_list, product):
    world = build_world(rep=rep, boss=boss, opportunity=opportunity, price_list=price_list, product=product)
    apis = [Api(token_for(boss)), Api(token_for(rep))]
    doc = json.loads(json.dumps(apis[0].get("openapi.json").body, default=str))
    all_routes = routes(doc)
    assert len(all_routes) > 90
    seen: Counter[int] = Counter()

    @settings(
        max_examples=250,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def hit(data: st.DataObject) -> None:
        path, method, op = data.draw(st.sampled_from(all_routes), label="route")
        set_name = path.lstrip("/").split("(", 1)[0]
        key = data.draw(
            st.one_of(
                st.just(str(world.get(set_name, uuid.uuid4()))),
                st.just(str(uuid.uuid4())),
                st.text(max_size=20).map(lambda t: quote(t, safe="")),
            ),
            label="key",
        )
        url = (
            path.lstrip("/")
            .replace("{id}", key)
            .replace("{logicalname}", data.draw(st.sampled_from(["invoice", "nosuch", "x'y"])))
        )
        params = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), FILTERS, max_size=3), label="query")
        if params:
            url += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        api = data.draw(st.sampled_from(apis))
        before = fingerprint()
        kind = data.draw(st.sampled_from(["schema", "json", "raw"]), label="body kind")
        props = body_props(doc, op)
        headers = {}
        if data.draw(st.booleans()):
            headers["If-Match"] = data.draw(st.sampled_from(["*", 'W/"1"', 'W/"999"', "garbage", ""]))
        if kind == "schema" and props:
            body = data.draw(
                st.dictionaries(st.sampled_from(props), JSON, min_size=1, max_size=4), label="body"
            )
            reply = api.call(method.upper(), url, body, **headers)
        elif kind == "json":
            reply = api.call(method.upper(), url, data.draw(JSON, label="body"), **headers)
        else:
            reply = api.call(method.upper(), url, raw=data.draw(RAW, label="raw"), **headers)
        seen[reply.status] += 1
        assert reply.status < 500, (method, url, reply.body)
        if reply.status >= 400:
            assert isinstance(reply.body, dict) and reply.body["error"]["code"].startswith("0x"), reply.body
            assert fingerprint() == before, (method, url, reply.status, reply.body)

    hit()
    print(sorted(seen.items()))
    assert seen[400] > 50 and seen[404] > 10 and sum(n for s, n in seen.items() if s < 300) > 5
