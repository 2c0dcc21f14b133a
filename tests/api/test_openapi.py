"""The OpenAPI document is true: every route it lists answers with a documented status and shape."""

import json
import re

import jsonschema_rs
import pytest

from salesapp.sales.models import CreditNote
from tests.api.conftest import Api
from tests.api.world import build_world

METHOD_ORDER = {"get": 0, "post": 1, "patch": 2, "delete": 3}


def validator(doc: dict, schema: dict):
    return jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]})


def response_schema(doc: dict, op: dict, status: int) -> dict | None:
    response = op["responses"].get(str(status))
    assert response is not None, (
        f"{op['operationId']} answered {status}, documented {sorted(op['responses'])}"
    )
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = response.get("content") or {}
    return content.get("application/json", {}).get("schema")


def doc_content_types(doc: dict, op: dict, status: int) -> set[str]:
    response = op["responses"][str(status)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return set(response.get("content") or {})


@pytest.mark.django_db
def test_every_documented_route_answers_as_documented(boss_api, rep, boss, opportunity, price_list, product):
    world = build_world(rep=rep, boss=boss, opportunity=opportunity, price_list=price_list, product=product)
    anonymous = Api(None)
    doc = anonymous.get("openapi.json").body
    assert anonymous.get("openapi.json").status == 200
    doc = json.loads(json.dumps(doc, default=float))
    operations = sorted(
        (
            (path, method, op)
            for path, item in doc["paths"].items()
            for method, op in item.items()
            if method in METHOD_ORDER
        ),
        key=lambda x: (METHOD_ORDER[x[1]], x[0]),
    )
    assert len(operations) > 90
    called = set()
    for path, method, op in operations:
        url = path.lstrip("/")
        set_name = url.split("(", 1)[0]
        if "{id}" in url:
            url = url.replace("{id}", str(world[set_name]))
        if op["operationId"] == "CreateCreditNote":
            # Credit the world's paid invoice in full, not the Active one the later actions need.
            paid = CreditNote.objects.get(pk=world["creditnotes"]).invoice_id
            url = url.replace(str(world[set_name]), str(paid))
        url = url.replace("{logicalname}", "invoice")
        body = {} if method in ("post", "patch") else None
        reply = boss_api.call(method.upper(), url, body)
        schema = response_schema(doc, op, reply.status)
        documented = doc_content_types(doc, op, reply.status)
        if documented:
            assert reply.headers["Content-Type"].split(";")[0] in documented, (op["operationId"], documented)
        if schema is not None:
            parsed = json.loads(reply.headers.content.decode())
            errors = [e.message for e in validator(doc, schema).iter_errors(parsed)]
            assert not errors, (op["operationId"], reply.status, errors[:3])
        if reply.status >= 400:
            assert re.fullmatch(r"0x[0-9a-f]{8}", reply.body["error"]["code"]), reply.body
        else:
            called.add(op["operationId"])
        if anonymous is not None and op.get("security") != []:
            assert anonymous.call(method.upper(), url, body).status == 401
    # every read, and the writes that take no required attribute, really succeeded
    assert {f"get_{e}" for e in ("invoice", "quote", "product", "uomschedule")} <= called
    assert {
        "list_invoices",
        "EntityDefinitions",
        "PicklistAttributes",
        "LockInvoicePricing",
        "delete_quotedetail",
        "update_account",
        "invoices_pdf",
        "creditnotes_pdf",
        "quotes_pdf",
        "salesorders_pdf",
        "SendCreditNoteByEmail",
        "SendSalesOrderByEmail",
        "SendInvoiceByEmail",
        "CreateCreditNote",
        "get_creditnote",
        "list_creditnotedetails",
        "get_invoicepayment",
    } <= called
