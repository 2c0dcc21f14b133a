"""Hostile input found by hand, and its neighbours: each answers 400 (naming the field or option) and
writes nothing; none is ever a 500.

Schemathesis and the hypothesis fuzzers missed these: a lone UTF-16 surrogate ("\\ud800" is valid
JSON but can't be encoded to UTF-8), NUL characters (PostgreSQL can't store them), `str.isdigit()`
accepting "²", the same `$expand` twice, `null` compared with a computed boolean, and dates near
9999-12-31 plus payment terms.
"""

from urllib.parse import quote

import pytest

from salesapp.api.entities import BY_SET, CREATE, ENTITIES, RW
from tests.api.conftest import Api, token_for
from tests.api.test_fuzz import fingerprint
from tests.api.test_fuzz_writes import base_bodies
from tests.api.world import build_world

HOSTILE_TEXT = {
    "lone surrogate": "a\ud800b",
    "low surrogate": "\udfff",
    "NUL": "a\x00b",
    "too long": "x" * 100_001,
}
# Strings that are not whole numbers, though str.isdigit() (or int()) says otherwise for some.
NOT_NUMBERS = [
    "²",
    "١٢",
    "１２",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "1e3",
    "0x10",
    "",
    "NaN",
    "Infinity",
    "9" * 30,
]
WRITABLE_SETS = sorted(e.set_name for e in ENTITIES if e.kind != "readonly")


@pytest.fixture
def world(rep, boss, opportunity, price_list, product):
    return build_world(rep=rep, boss=boss, opportunity=opportunity, price_list=price_list, product=product)


@pytest.fixture
def api(boss) -> Api:
    return Api(token_for(boss))


def refused(reply, *words: str) -> str:
    assert reply.status == 400, (reply.status, reply.body)
    message = reply.body["error"]["message"]
    assert reply.body["error"]["code"].startswith("0x")
    for word in words:
        assert word in message, (word, message)
    return message


def text_attrs(set_name: str, *, creating: bool) -> list[str]:
    entity = BY_SET[set_name]
    allowed = (RW, CREATE) if creating else (RW,)
    return [a.name for a in entity.attrs if a.type in ("string", "memo") and a.access in allowed]


# --- 1. text written to the database ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXT))
def test_hostile_text_in_every_text_attribute_is_refused_by_name(api, world, kind):
    bases = base_bodies(world)
    value = HOSTILE_TEXT[kind]
    checked = 0
    for set_name in WRITABLE_SETS:
        for name in text_attrs(set_name, creating=True):
            before = fingerprint()
            refused(api.post(set_name, {**bases[set_name], name: value}), name)
            assert fingerprint() == before, (set_name, name)
            checked += 1
        for name in text_attrs(set_name, creating=False):
            before = fingerprint()
            refused(api.patch(f"{set_name}({world[set_name]})", {name: value}), name)
            assert fingerprint() == before, (set_name, name)
            checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_hostile_text_in_nested_lines_and_keys_is_refused(api, world):
    bases = base_bodies(world)
    before = fingerprint()
    body = {
        **bases["quotes"],
        "quote_details": [
            {"isproductoverridden": True, "productdescription": "\ud800", "priceperunit": 1, "quantity": 1}
        ],
    }
    refused(api.post("quotes", body), "productdescription")
    refused(api.post("accounts", {"name": "x", "\ud800": 1}))
    refused(api.post("accounts", {"name": "x", "nosuch\x00": 1}))
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\ud800", "a\x00"])
def test_hostile_text_in_action_parameters_is_refused(api, world, value):
    before = fingerprint()
    reply = api.post(
        f"invoices({world['invoices']})/Microsoft.Dynamics.CRM.SendInvoiceByEmail",
        {"Subject": value, "To": "a@example.com"},
    )
    refused(reply, "Subject")
    reply = api.post(
        "WinQuote",
        {"QuoteClose": {"quoteid@odata.bind": f"/quotes({world['quotes']})", "subject": value}, "Status": -1},
    )
    refused(reply)
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": 1e400}',
        b'{"name": NaN}',
        b'{"discountpercentage": NaN}',
        b'{"discountpercentage": Infinity}',
        b'{"discountpercentage": -Infinity}',
        b'{"discountpercentage": 1e400}',
        b'{"discountpercentage": -1e400}',
        b'{"discountpercentage": 1e-400}',
        b'{"discountpercentage": 1' + b"0" * 5000 + b"}",
        b'{"sequencenumber": 1e2}',
        b'{"name": "\\ud800"}',
        b'{"name": "\\u0000"}',
        b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 (CESU-8): not UTF-8
        b'{"name": "a", "name": "\\ud800"}',
    ],
)
def test_hostile_numbers_and_raw_bodies_are_refused(api, world, raw):
    before = fingerprint()
    for url in (f"quotes({world['quotes']})", f"quotedetails({world['quotedetails']})"):
        reply = api.call("PATCH", url, raw=raw)
        refused(reply)
    assert fingerprint() == before


@pytest.mark.django_db
def test_negative_zero_is_a_number_like_zero(api, world):
    reply = api.call("PATCH", f"quotes({world['quotes']})", raw=b'{"discountpercentage": -0.0}')
    assert reply.status == 204, reply.body
    reply = api.get(f"quotes({world['quotes']})?$select=discountpercentage")
    assert str(reply.body["discountpercentage"]) in ("0", "0.00")


# --- 1. dates near the end of the calendar --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-01", "9999-11-15"])
def test_invoice_date_near_9999_with_payment_terms_names_the_field(api, world, day):
    invoice = f"invoices({world['invoices']})"
    before = fingerprint()
    message = refused(api.patch(invoice, {"datedelivered": day, "paymenttermscode": 4}))
    assert "datedelivered" in message or "Invoice Date" in message or "payment terms" in message.lower()
    bases = base_bodies(world)
    refused(api.post("invoices", {**bases["invoices"], "datedelivered": day, "paymenttermscode": 4}))
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "0000-01-01", "2024-02-30", "٢٠٢٤-٠١-٠١"])
def test_extreme_dates_never_500(api, world, day):
    for set_name, name in (
        ("quotes", "effectivefrom"),
        ("quotes", "effectiveto"),
        ("quotes", "requestdeliveryby"),
        ("opportunities", "estimatedclosedate"),
        ("salesorders", "requestdeliveryby"),
        ("invoices", "datedelivered"),
        ("invoices", "duedate"),
    ):
        reply = api.patch(f"{set_name}({world[set_name]})", {name: day})
        assert reply.status in (204, 400), (set_name, name, day, reply.body)


# --- 1. query options ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("option", ["$top", "$skiptoken"])
def test_numeric_query_options_refuse_what_is_not_a_plain_number(api, world, option, value):
    refused(api.get(f"quotes?{option}={quote(value)}"), option)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [v for v in NOT_NUMBERS if v.strip() == v])
def test_maxpagesize_refuses_what_is_not_a_plain_number(api, world, value):
    reply = api.get("quotes", prefer=f"odata.maxpagesize={value}")
    refused(reply, "maxpagesize")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "TRUE", "True", "1", "yes", "²", "true,true"])
def test_count_accepts_only_true_or_false(api, world, value):
    refused(api.get(f"quotes?$count={quote(value)}"), "$count")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["true", "false"])
def test_count_true_and_false(api, world, value):
    reply = api.get(f"quotes?$count={value}")
    assert reply.status == 200
    assert ("@odata.count" in reply.body) == (value == "true")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "$expand=quote_details&$expand=quote_details",
        "$expand=quote_details,quote_details",
        "$select=name&$select=name",
        "$filter=name eq 'a'&$filter=name eq 'b'",
        "$top=1&$top=2",
        "$orderby=name&$orderby=name desc",
        "$count=true&$count=true",
    ],
)
def test_repeated_query_options_are_refused(api, world, query):
    refused(api.get(f"quotes?{query}"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "$skip=1",
        "$search=x",
        "$apply=groupby((name))",
        "$format=json",
        "$levels=2",
        "$nosuch=1",
        "$SELECT=name",
        "fetchXml=%3Cfetch%2F%3E",
        "savedQuery=00000000-0000-0000-0000-000000000000",
        "userQuery=00000000-0000-0000-0000-000000000000",
    ],
)
def test_unsupported_query_options_are_refused_not_ignored(api, world, query):
    option = query.split("=", 1)[0]
    for url in ("quotes", f"quotes({world['quotes']})", "EntityDefinitions"):
        message = refused(api.get(f"{url}?{query}"), option)
        assert "not supported" in message or "isn't supported" in message


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["filter=name%20eq%20%27x%27", "top=1", "_=123", "%C2%B2=1", "%00=1"])
def test_unknown_parameters_are_refused_so_a_misspelt_option_never_returns_everything(api, world, query):
    refused(api.get(f"quotes?{query}"), "not supported")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["$select=", "$filter=", "$orderby=%20", "$expand=", "$top=", "$skiptoken="]
)
def test_empty_query_options_are_refused(api, world, query):
    refused(api.get(f"quotes?{query}"), query.split("=")[0])


@pytest.mark.django_db
def test_a_parameter_alias_is_not_an_unknown_option(api, world):
    assert api.get("quotes?@p1=1").status == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("PUT", "quotes", "GET, POST"),
        ("DELETE", "quotes", "GET, POST"),
        ("PUT", "quotes({quote})", "GET, PATCH, DELETE"),
        ("GET", "WinQuote", "POST"),
        ("POST", "EntityDefinitions", "GET"),
        ("POST", "openapi.json", "GET"),
    ],
)
def test_405_answers_say_what_is_allowed(api, world, method, url, allow):
    reply = api.call(method, url.format(quote=world["quotes"]))
    assert reply.status == 405, reply.body
    assert reply.headers["Allow"] == allow
    assert reply.body["error"]["code"].startswith("0x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/data/v9.2/quotes(%0A)",
        "/api/data/v9.2/quotes%0A",
        "/api/data/v9.2/%0A",
        "/api/data/v9.1/quotes",
        "/api/",
        "/api/data/",
        "/api/nosuch%00",
    ],
)
def test_unknown_api_urls_answer_the_json_error_shape(api, world, url):
    reply = api.get(url)
    assert reply.status in (400, 404), reply.status
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.body["error"]["code"].startswith("0x")


@pytest.mark.django_db
def test_a_bad_body_is_a_400_before_a_stale_if_match_is_a_412(api, world):
    url = f"quotes({world['quotes']})"
    assert api.patch(url, {"name": {}}, if_match='W/"0"').status == 400
    assert api.patch(url, {"name": "x"}, if_match='W/"0"').status == 412
    assert api.patch(url, {"name": "x"}, if_match="").status == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "flt",
    [
        "isproductoverridden eq null",
        "isproductoverridden ne null",
        "null eq isproductoverridden",
        "isproductoverridden gt true",
        "isproductoverridden eq 1",
        "quantity eq null",
        "productdescription eq '\x00'",
        "contains(productdescription,'\x00')",
        "quantity eq 1e400",
        "quantity eq NaN",
        "quantity eq -0",
        "quantity eq ²",
        "createdon gt 9999-12-31T23:59:59Z",
        "createdon gt 0001-01-01T00:00:00+14:00",
        "createdon gt 9999-12-31T23:59:59-14:00",
        "createdon gt 9999-12-31T23:59:59",
        "createdon gt 0001-01-01T00:00:00",
        "createdon gt 0001-01-01",
        "modifiedon lt 9999-12-31",
        "modifiedon lt 2024-02-30",
        "_productid_value eq 00000000-0000-0000-0000-000000000000",
        "_productid_value eq 'x'",
        "quotedetailid eq 'not-a-guid'",
        "sequencenumber eq 99999999999999999999",
        "sequencenumber gt 999999999999999",
    ],
)
def test_filter_never_500(api, world, flt):
    reply = api.get(f"quotedetails?$filter={quote(flt)}")
    assert reply.status in (200, 400), (flt, reply.body)


@pytest.mark.django_db
def test_filter_on_a_computed_boolean_with_null_answers_correctly(api, world):
    reply = api.get(f"quotedetails?$filter={quote('isproductoverridden eq null')}")
    if reply.status == 200:
        assert reply.body["value"] == []
    else:
        refused(reply, "isproductoverridden")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "$select=%00",
        "$select=name%00",
        "$orderby=name%00",
        "$expand=quote_details(%24select%3D%00)",
        "$expand=quote_details(%24select%3Dquantity%3B%24select%3Dquantity)",
        "$select=%ED%A0%80",
        "$filter=name%20eq%20%27%ED%A0%80%27",
        "$filter=name%20eq%20%27%00%27",
        "$skiptoken=%00",
        "$top=%C2%B2",
        "$skiptoken=%C2%B2",
    ],
)
def test_query_options_with_hostile_bytes_never_500(api, world, query):
    for url in ("quotes", f"quotes({world['quotes']})"):
        reply = api.get(f"{url}?{query}")
        assert reply.status in (200, 400), (url, query, reply.body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    [
        "%00",
        "%ED%A0%80",
        "%C2%B2",
        "00000000-0000-0000-0000-00000000000²",
        "{00000000-0000-0000-0000-000000000000}",
        "quoteid=%00",
        "x" * 5000,
    ],
)
def test_hostile_keys_never_500(api, world, key):
    for method in ("GET", "PATCH", "DELETE"):
        reply = api.call(method, f"quotes({key})", {} if method == "PATCH" else None)
        assert reply.status in (400, 404, 405), (method, key, reply.body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bind",
    [
        "/accounts(00000000-0000-0000-0000-00000000000²)",
        "/accounts(%00)",
        "/accounts(\ud800)",
        "/accounts(\x00)",
        "/accounts(00000000-0000-0000-0000-000000000000)\x00",
        "/ACCOUNTS(00000000-0000-0000-0000-000000000000)",
        "/accounts(00000000-0000-0000-0000-000000000000)/x",
    ],
)
def test_hostile_binds_are_refused(api, world, bind):
    before = fingerprint()
    refused(api.post("quotes", {"name": "x", "customerid_account@odata.bind": bind}))
    assert fingerprint() == before


# --- 1. headers ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefer",
    [
        "odata.maxpagesize=²",
        "odata.maxpagesize=",
        "odata.maxpagesize",
        "odata.maxpagesize=0",
        "odata.maxpagesize=-1",
        "odata.maxpagesize=1" + "0" * 40,
        'odata.include-annotations="\x00"',
        "return=representation,return=minimal",
        "=,=,,;",
        "\x00",
        "ü" * 1000,
    ],
)
def test_hostile_prefer_never_500(api, world, prefer):
    for method, url, body in (
        ("GET", "quotes", None),
        ("GET", f"quotes({world['quotes']})", None),
        ("PATCH", f"quotes({world['quotes']})", {"name": "Prefer"}),
    ):
        reply = api.call(method, url, body, prefer=prefer)
        assert reply.status in (200, 204, 400), (method, prefer, reply.body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["", "garbage", 'W/"²"', 'W/"' + "9" * 40 + '"', "*, *", "\x00", 'W/"1", W/"2"', "ü"]
)
@pytest.mark.parametrize("header", ["if_match", "if_none_match"])
def test_hostile_etag_headers_never_500(api, world, header, value):
    url = f"quotes({world['quotes']})"
    for method, body in (("PATCH", {"name": "x"}), ("DELETE", None)):
        before = fingerprint()
        reply = api.call(method, url, body, **{header: value})
        assert reply.status in (204, 400, 405, 412), (method, header, value, reply.body)
        if reply.status != 204:
            assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "application/xml",
        "",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ],
)
def test_hostile_content_types_never_500(api, world, content_type):
    before = fingerprint()
    reply = api.call("POST", "accounts", raw=b'{"name": "x"}', content_type=content_type)
    assert reply.status in (204, 400, 415), (content_type, reply.body)
    if reply.status != 204:
        assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["²", "-1", "1e3", "99999999999999999999999", " ", "abc"])
def test_hostile_content_length_never_500(api, world, length):
    before = fingerprint()
    reply = api.call("POST", "accounts", {"name": "x"}, content_length=length)
    assert reply.status in (204, 400), (length, reply.body)
    if reply.status == 400:
        assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["4.0", "4.01", "3.0", "²", "", "\x00", "x" * 1000])
def test_hostile_odata_version_headers_never_500(api, world, version):
    for header in ("odata_maxversion", "odata_version"):
        reply = api.call("GET", "quotes", **{header: version})
        assert reply.status in (200, 400), (header, version, reply.body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization", ["Bearer \x00", "Bearer ²", "Bearer " + "x" * 10000, "Basic ²", "Bearer", ""]
)
def test_hostile_authorization_is_401(world, authorization):
    client = Api(None)
    reply = client.call("GET", "quotes", authorization=authorization)
    assert reply.status == 401, reply.body
