"""WEBAPI.md details: create / retrieve / update / delete, If-Match, errors, $filter, metadata."""

import uuid
from decimal import Decimal

import pytest

from salesapp.api.entities import BY_LOGICAL
from salesapp.api.query import parse_filter
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, OpportunityProduct, Quote


@pytest.fixture
def quote(opportunity, rep) -> Quote:
    return services.opportunity_generate_quote(opportunity=opportunity, by=rep)


@pytest.mark.django_db
def test_create_with_return_representation_and_select(rep_api, account):
    reply = rep_api.post(
        "opportunities?$select=name,totalamount,_customerid_value",
        {"name": "Rep. deal", "customerid_account@odata.bind": f"/accounts({account.pk})"},
        Prefer="return=representation",
    )
    assert reply.status == 201, reply.body
    assert reply.headers["OData-EntityId"].endswith(f"opportunities({reply.body['opportunityid']})")
    assert reply.body["@odata.context"].endswith(
        "$metadata#opportunities(name,totalamount,_customerid_value)/$entity"
    )
    assert set(reply.body) == {
        "@odata.context",
        "@odata.etag",
        "opportunityid",
        "name",
        "totalamount",
        "_customerid_value",
    }
    assert reply.body["_customerid_value"] == str(account.pk) and reply.body["@odata.etag"].startswith('W/"')


@pytest.mark.django_db
def test_money_is_exact_both_ways(rep_api, opportunity):
    reply = rep_api.post(
        "opportunityproducts",
        {
            "opportunityid@odata.bind": f"/opportunities({opportunity.pk})",
            "isproductoverridden": True,
            "productdescription": "Cables",
            "priceperunit": Decimal("0.1"),
            "quantity": 3,
            "tax": Decimal("0.2"),
        },
        Prefer="return=representation",
    )
    assert reply.status == 201, reply.body
    raw = reply.headers.content.decode()
    assert '"baseamount":0.3' in raw and '"extendedamount":0.5' in raw  # 0.1 × 3 + 0.2, no float drift
    assert "0.30000000000000004" not in raw


@pytest.mark.django_db
def test_if_match(rep_api, quote):
    etag = rep_api.get(f"quotes({quote.pk})").body["@odata.etag"]
    assert rep_api.patch(f"quotes({quote.pk})", {"name": "v2"}, **{"If-Match": etag}).status == 204
    stale = rep_api.patch(f"quotes({quote.pk})", {"name": "v3"}, **{"If-Match": etag})
    assert stale.status == 412 and stale.body["error"]["code"] == "0x80060882"
    assert Quote.objects.get(pk=quote.pk).name == "v2"
    assert rep_api.patch(f"quotes({uuid.uuid4()})", {"name": "x"}, **{"If-Match": "*"}).status == 404
    assert rep_api.patch(f"quotes({quote.pk})", {"name": "v4"}, **{"If-Match": "*"}).status == 204
    line = quote.lines.first()
    line_etag = rep_api.get(f"quotedetails({line.pk})").body["@odata.etag"]
    assert rep_api.patch(f"quotedetails({line.pk})", {"quantity": 3}, **{"If-Match": line_etag}).status == 204
    assert rep_api.delete(f"quotedetails({line.pk})", **{"If-Match": line_etag}).status == 412
    assert rep_api.delete(f"quotedetails({line.pk})", **{"If-Match": "*"}).status == 204


@pytest.mark.django_db
def test_invoices_are_never_deleted(rep_api, opportunity, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    reply = rep_api.delete(f"invoices({invoice.pk})")
    assert reply.status == 400 and "never deleted" in reply.error
    assert Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, status, words",
    [
        (b"{", 400, "valid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"name": NaN}', 400, "valid JSON"),
        (b'{"name": 12}', 400, "must be a string"),
        (b'{"freightamount": "12"}', 400, "must be a number"),
        (b'{"freightamount": 1e13}', 400, "out of range"),
        (b'{"freightamount": 1.00001}', 400, "at most 4 decimals"),
        (b'{"freightamount": ' + b"9" * 5000 + b"}", 400, "valid JSON"),
        (b'{"discountpercentage": 101}', 400, "between 0 and 100"),
        (b'{"paymenttermscode": 99}', 400, "isn't a valid value for paymenttermscode"),
        (b'{"shippingmethodcode": true}', 400, "option-set value"),
        (b'{"nosuchattribute": 1}', 400, "no attribute"),
        (b'{"totalamount": 1}', 400, "read-only"),
        (
            b'{"pricelevelid@odata.bind": "/accounts(00000000-0000-0000-0000-000000000000)"}',
            400,
            "must point into",
        ),
        (
            b'{"pricelevelid@odata.bind": "/pricelevels(00000000-0000-0000-0000-000000000000)"}',
            400,
            "no record",
        ),
        (b'{"duedate": "tomorrow"}', 400, "date"),
        (b'{"statecode": 7}', 400, "isn't a valid value"),
        (b'{"statecode": 2, "statuscode": 1}', 400, "doesn't belong"),
        (b'{"name": "' + b"x" * (1024 * 1024) + b'"}', 400, "too large"),
    ],
)
def test_bad_input_is_400_and_nothing_changes(rep_api, quote, body, status, words):
    before = Quote.objects.values().get(pk=quote.pk)
    reply = rep_api.call("PATCH", f"quotes({quote.pk})", raw=body)
    assert reply.status == status, reply.body
    assert words in reply.error and reply.body["error"]["code"].startswith("0x")
    assert Quote.objects.values().get(pk=quote.pk) == before


@pytest.mark.django_db
def test_status_codes_for_the_rest(rep_api, quote):
    assert (
        rep_api.call("PATCH", f"quotes({quote.pk})", raw=b"name=x", content_type="text/plain").status == 415
    )
    assert rep_api.call("PUT", f"quotes({quote.pk})", {"name": "x"}).status == 405
    assert rep_api.get("GenerateQuoteFromOpportunity").status == 405
    assert rep_api.get("nosuchset").status == 404
    assert rep_api.get(f"quotes({uuid.uuid4()})").status == 404
    assert rep_api.get("quotes(not-a-guid)").status == 400
    assert rep_api.post("transactioncurrencies", {"isocurrencycode": "EUR"}).status == 403  # managers only
    assert rep_api.post("creditnotes", {"name": "x"}).status == 405
    # a rule of the domain: an Active quote can't be edited
    assert rep_api.patch(f"quotes({quote.pk})", {"statecode": 1}).status == 204
    reply = rep_api.patch(f"quotes({quote.pk})", {"name": "late edit"})
    assert reply.status == 400 and "Editing isn't possible" in reply.error


@pytest.mark.django_db
def test_a_failed_request_writes_nothing(rep_api, opportunity, product):
    """Deep insert: the second line is bad, so neither the document nor the first line is saved."""
    before = (Opportunity.objects.count(), OpportunityProduct.objects.count())
    reply = rep_api.post(
        "opportunities",
        {
            "name": "Deep",
            "customerid_account@odata.bind": f"/accounts({opportunity.customer_account_id})",
            "product_opportunities": [
                {"productid@odata.bind": f"/products({product.pk})", "quantity": 1},
                {"productid@odata.bind": f"/products({product.pk})", "quantity": -1},
            ],
        },
    )
    assert reply.status == 400, reply.body
    assert (Opportunity.objects.count(), OpportunityProduct.objects.count()) == before
    reply = rep_api.post(
        "opportunities",
        {
            "name": "Deep",
            "customerid_account@odata.bind": f"/accounts({opportunity.customer_account_id})",
            "product_opportunities": [{"productid@odata.bind": f"/products({product.pk})", "quantity": 2}],
        },
        Prefer="return=representation",
    )
    assert reply.status == 201 and reply.body["totalamount"] == Decimal("200")


@pytest.mark.django_db
def test_filter_orderby_and_lookups(rep_api, opportunity, rep, account):
    services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    other = services.document_create(Opportunity, by=rep, customer=account, name="O'Brien's deal")
    q = f"_customerid_value eq {account.pk} and (name eq 'O''Brien''s deal' or totalamount gt 100)"
    reply = rep_api.get(f"opportunities?$filter={q}&$orderby=name desc&$select=name")
    assert reply.status == 200, reply.body
    assert [x["name"] for x in reply.body["value"]] == ["O'Brien's deal", "Big deal"]
    assert (
        rep_api.get("opportunities?$filter=_pricelevelid_value ne null and statecode eq 0&$count=true").body[
            "@odata.count"
        ]
        == 2
    )
    reply = rep_api.get(
        f"quotes?$filter=_opportunityid_value eq '{opportunity.pk}'&$top=1&$orderby=quotenumber"
    )
    assert [x["quotenumber"] for x in reply.body["value"]] == ["QUO-00001"]
    lines = rep_api.get("opportunityproducts?$filter=isproductoverridden eq true").body["value"]
    assert [x["productdescription"] for x in lines] == ["Installation"]
    assert rep_api.get("opportunities?$filter=contains(name,'brien')").body["value"][0][
        "opportunityid"
    ] == str(other.pk)
    for bad in [
        "name eq",
        "name eq 5",
        "totalamount eq 'x'",
        "nosuch eq 1",
        "(name eq 'a'",
        "name eq 'a' xor 1",
        "_customerid_value gt 00000000-0000-0000-0000-000000000000",
        "name; drop table",
        "eval(1)",
        "totalamount gt null",
        "createdon gt 2024-13-45",
        "(" * 100 + "name eq 'a'" + ")" * 100,
    ]:
        reply = rep_api.get(f"opportunities?$filter={bad}")
        assert reply.status == 400, (bad, reply.body)
    assert rep_api.get("opportunities?$orderby=nosuch").status == 400
    assert rep_api.get("opportunities?$select=nosuch").status == 400
    assert rep_api.get("opportunities?$expand=quote_details").status == 400
    assert rep_api.get("opportunities?$top=-1").status == 400


def test_filter_parser_builds_q_over_whitelisted_fields():
    q = parse_filter(
        BY_LOGICAL["invoice"], "statecode eq 0 and (totalamount ge 10.5 or invoicenumber eq 'INV-1')"
    )
    assert str(q) == (
        "(AND: ('state__exact', 0), (OR: ('total_amount__gte', Decimal('10.5')), "
        "('invoice_number__exact', 'INV-1')))"
    )


@pytest.mark.django_db
def test_entity_definitions(rep_api):
    reply = rep_api.get(
        "EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,"
        "SchemaName,MetadataId&$filter=LogicalName eq 'invoice'"
    )
    assert reply.status == 200, reply.body
    [row] = reply.body["value"]
    assert {
        k: row[k]
        for k in ("LogicalName", "EntitySetName", "PrimaryIdAttribute", "PrimaryNameAttribute", "SchemaName")
    } == {
        "LogicalName": "invoice",
        "EntitySetName": "invoices",
        "PrimaryIdAttribute": "invoiceid",
        "PrimaryNameAttribute": "name",
        "SchemaName": "Invoice",
    }
    assert row["MetadataId"] == str(uuid.uuid5(uuid.UUID("6f1c3e0a-5a1e-4d1b-9a57-5a1e5a1e5a1e"), "invoice"))
    assert (
        len(rep_api.get("EntityDefinitions").body["value"]) == 25
    )  # 18 tables, 3 close activities, systemusers, invoicepayments, creditnotes, creditnotedetails
    single = rep_api.get("EntityDefinitions(LogicalName='invoice')").body
    assert single["MetadataId"] == row["MetadataId"] and single["EntitySetName"] == "invoices"
    reply = rep_api.get(
        "EntityDefinitions(LogicalName='invoice')/Attributes/Microsoft.Dynamics.CRM."
        "PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)"
    )
    attrs = {a["LogicalName"]: a for a in reply.body["value"]}
    assert {"statecode", "statuscode", "paymenttermscode", "shippingmethodcode"} <= set(attrs)
    options = {
        o["Value"]: o["Label"]["UserLocalizedLabel"]["Label"]
        for o in attrs["statuscode"]["OptionSet"]["Options"]
    }
    assert options[100001] == "Complete" and options[4] == "Billed"
    assert rep_api.get("EntityDefinitions(LogicalName='nosuch')").status == 404


@pytest.mark.django_db
def test_send_by_email_and_pdf(rep_api, opportunity, rep, django_capture_on_commit_callbacks):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    reply = rep_api.post(
        f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.SendInvoiceByEmail",
        {"To": ["ap@customer.example"], "Subject": "Your invoice"},
    )
    assert reply.status == 202, reply.body
    assert reply.body["state"] == "queued" and invoice.deliveries.get().to == "ap@customer.example"
    bad = rep_api.post(
        f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.SendInvoiceByEmail", {"To": "not an address"}
    )
    assert bad.status == 400 and "not a valid email address" in bad.error
    assert invoice.deliveries.count() == 1
    pdf = rep_api.get(f"invoices({invoice.pk})/pdf")
    assert (
        pdf.status == 200
        and pdf.headers["Content-Type"] == "application/pdf"
        and pdf.body.startswith(b"%PDF")
    )


@pytest.mark.django_db
def test_required_lookups_cant_be_cleared(rep_api, quote):
    for bind in ("customerid_account", "transactioncurrencyid"):
        reply = rep_api.patch(f"quotes({quote.pk})", {f"{bind}@odata.bind": None})
        assert reply.status == 400 and "can't be cleared" in reply.error
    assert Quote.objects.get(pk=quote.pk).customer_account_id is not None


@pytest.mark.django_db
def test_discount_rows_need_both_quantities(boss_api, boss):
    """Regression: discount_save ran its overlap query with None and raised a 500."""
    from salesapp.catalog import services as catalog_services
    from salesapp.catalog.models import Discount, DiscountList

    dl = catalog_services.discount_list_save(discount_list=DiscountList(), by=boss, name="Tiers")
    reply = boss_api.post(
        "discounts",
        {"discounttypeid@odata.bind": f"/discounttypes({dl.pk})", "highquantity": 20, "percentage": 1},
    )
    assert reply.status == 400 and "begin and end quantity" in reply.error
    assert not Discount.objects.exists()


@pytest.mark.django_db
def test_a_second_price_list_item_for_the_same_product_and_unit_is_400(boss_api, price_list, product):
    body = {
        "pricelevelid@odata.bind": f"/pricelevels({price_list.pk})",
        "productid@odata.bind": f"/products({product.pk})",
        "uomid@odata.bind": f"/uoms({product.default_unit_id})",
        "pricingmethodcode": 1,
        "amount": 80,
    }
    reply = boss_api.post("productpricelevels", body)
    assert reply.status == 400 and reply.body["error"]["code"] == "0x80040265"
    assert (
        f"{price_list.name} already prices {product.name} in the unit {product.default_unit.name}"
        in reply.error
    )
    assert list(price_list.items.values_list("amount", flat=True)) == [Decimal("100.00")]


@pytest.mark.django_db
def test_lookup_attribute_metadata(rep_api):
    reply = rep_api.get(
        "EntityDefinitions(LogicalName='quote')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata"
    )
    assert reply.status == 200, reply.body
    lookups = {a["LogicalName"]: a for a in reply.body["value"]}
    assert lookups["customerid"]["Targets"] == ["account", "contact"]
    assert lookups["customerid"]["AttributeType"] == "Customer" and lookups["pricelevelid"]["Targets"] == [
        "pricelevel"
    ]
    every = rep_api.get("EntityDefinitions(LogicalName='quote')/Attributes?$select=LogicalName").body["value"]
    assert {"quotenumber", "customerid", "statecode"} <= {a["LogicalName"] for a in every}


@pytest.mark.django_db
def test_a_patch_whose_state_change_fails_changes_no_field_either(rep_api, quote):
    before = Quote.objects.values().get(pk=quote.pk)
    reply = rep_api.patch(f"quotes({quote.pk})", {"name": "Renamed", "freightamount": 10, "statecode": 2})
    assert reply.status == 400 and "Win Quote isn't possible" in reply.error
    assert Quote.objects.values().get(pk=quote.pk) == before
