"""The whole quote-to-cash flow over HTTP, as an integrator would drive it (WEBAPI.md + SPEC §3)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

D = Decimal


def r2(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def spec_totals(doc: dict, lines: list[dict]) -> dict[str, Decimal]:
    """SPEC §3.3 / §3.4 recomputed from what the API returns (line item discount method)."""
    amounts = []
    for line in lines:
        amount = r2((line["priceperunit"] - line["volumediscountamount"]) * line["quantity"])
        assert line["baseamount"] == amount
        assert line["extendedamount"] == amount - line["manualdiscountamount"] + line["tax"]
        amounts.append(amount - line["manualdiscountamount"])
    detail = sum(amounts, D(0))
    header_pct = r2(detail * doc["discountpercentage"] / 100)
    pre_freight = detail - header_pct - doc["discountamount"]
    tax = sum((x["tax"] for x in lines), D(0))
    line_discount = sum((x["manualdiscountamount"] for x in lines), D(0))
    return {
        "totallineitemamount": detail,
        "totalamountlessfreight": pre_freight,
        "totaltax": tax,
        "totalamount": pre_freight + doc["freightamount"] + tax,
        "totallineitemdiscountamount": line_discount,
        "totaldiscountamount": line_discount + header_pct + doc["discountamount"],
    }


def check_totals(api, set_name: str, key: str, nav: str, expected_total: str) -> dict:
    reply = api.get(f"{set_name}({key})?$expand={nav}")
    assert reply.status == 200, reply.body
    doc = reply.body
    for name, value in spec_totals(doc, doc[nav]).items():
        assert doc[name] == value, (name, doc[name], value)
    assert doc["totalamount"] == D(expected_total)
    return doc


@pytest.mark.django_db
def test_opportunity_to_paid_invoice_over_http(usd, rep_api, boss_api):
    # --- catalog (a Sales manager) --------------------------------------------------------------
    group = boss_api.create("uomschedules", {"name": "Hardware units", "baseuomname": "Each"})
    assert boss_api.get(f"uomschedules({group})").body["baseuomname"] == "Each"
    units = boss_api.get(f"uoms?$filter=_uomscheduleid_value eq {group}").body["value"]
    assert [u["name"] for u in units] == ["Each"] and units[0]["isschedulebaseuom"] is True
    each = units[0]["uomid"]
    product = boss_api.create(
        "products",
        {
            "productnumber": "SRV-1",
            "name": "Server",
            "price": 1000,
            "quantitydecimal": 0,
            "statecode": 0,
            "productstructure": 1,
            "defaultuomscheduleid@odata.bind": f"/uomschedules({group})",
            "defaultuomid@odata.bind": f"/uoms({each})",
        },
    )
    price_list = boss_api.create("pricelevels", {"name": "Wholesale"})
    assert boss_api.get(f"pricelevels({price_list})").body["_transactioncurrencyid_value"] == str(usd.pk)
    volume = boss_api.create(
        "discounttypes",
        {
            "name": "Volume",
            "isamounttype": True,
            "transactioncurrencyid@odata.bind": f"/transactioncurrencies({usd.pk})",
        },
    )
    boss_api.create(
        "discounts",
        {
            "lowquantity": 5,
            "highquantity": 100,
            "amount": 100,
            "discounttypeid@odata.bind": f"/discounttypes({volume})",
        },
    )
    item = boss_api.create(
        "productpricelevels",
        {
            "pricelevelid@odata.bind": f"/pricelevels({price_list})",
            "productid@odata.bind": f"/products({product})",
            "uomid@odata.bind": f"/uoms({each})",
            "pricingmethodcode": 1,
            "amount": D("1000.00"),
            "quantitysellingcode": 1,
            "discounttypeid@odata.bind": f"/discounttypes({volume})",
        },
    )

    # --- customer and opportunity (a salesperson) ---------------------------------------------
    account = rep_api.create(
        "accounts",
        {
            "name": "Fabrikam",
            "emailaddress1": "ap@fabrikam.example",
            "address1_line1": "1 Harbour Rd",
            "address1_city": "Seattle",
            "defaultpricelevelid@odata.bind": f"/pricelevels({price_list})",
        },
    )
    opp = rep_api.create(
        "opportunities",
        {"name": "Fabrikam servers", "customerid_account@odata.bind": f"/accounts({account})"},
    )
    rep_api.create(
        "opportunityproducts",
        {
            "opportunityid@odata.bind": f"/opportunities({opp})",
            "productid@odata.bind": f"/products({product})",
            "quantity": 10,
            "manualdiscountamount": D("100.00"),
            "tax": D("1335.00"),
        },
    )
    rep_api.create(
        "opportunityproducts",
        {
            "opportunityid@odata.bind": f"/opportunities({opp})",
            "isproductoverridden": True,
            "productdescription": "Installation",
            "priceperunit": D("250.00"),
            "quantity": 4,
            "tax": D("150.00"),
        },
    )
    # header discounts need lines to discount (SPEC §3.5: pre-freight can't go below zero)
    reply = rep_api.patch(
        f"opportunities({opp})",
        {"discountpercentage": 10, "discountamount": D("200.00"), "freightamount": D("50.00")},
    )
    assert reply.status == 204, reply.body
    opportunity = check_totals(
        rep_api, "opportunities", opp, "product_opportunities", "10245.00"
    )  # SPEC §3.4 example
    assert opportunity["product_opportunities"][0]["volumediscountamount"] == D("100")
    assert opportunity["_pricelevelid_value"] == price_list  # the customer's default price list

    # --- quote ------------------------------------------------------------------------------
    reply = rep_api.post(
        "GenerateQuoteFromOpportunity",
        {"OpportunityId": opp, "ColumnSet": {"Columns": ["quotenumber", "totalamount", "statecode"]}},
    )
    assert reply.status == 200, reply.body
    assert reply.body["@odata.type"] == "#Microsoft.Dynamics.CRM.quote"
    assert reply.body["quotenumber"].startswith("QUO-") and reply.body["statecode"] == 0
    assert "name" not in reply.body and reply.body["totalamount"] == D("10245")
    quote = reply.body["quoteid"]
    check_totals(rep_api, "quotes", quote, "quote_details", "10245.00")
    assert rep_api.patch(f"quotes({quote})", {"statecode": 1, "statuscode": 2}).status == 204
    assert rep_api.get(f"quotes({quote})?$select=statecode,statuscode").body["statecode"] == 1
    reply = rep_api.post(
        "WinQuote",
        {"QuoteClose": {"quoteid@odata.bind": f"/quotes({quote})", "subject": "Won"}, "Status": -1},
    )
    assert reply.status == 204, reply.body
    assert rep_api.get(f"quotes({quote})").body["statecode"] == 2

    # --- order: locked prices --------------------------------------------------------------------
    reply = rep_api.post("ConvertQuoteToSalesOrder", {"QuoteId": quote, "ColumnSet": {"AllColumns": True}})
    assert reply.status == 200, reply.body
    order = reply.body["salesorderid"]
    assert reply.body["ispricelocked"] is True and reply.body["_quoteid_value"] == quote
    assert boss_api.patch(f"productpricelevels({item})", {"amount": D("1100.00")}).status == 204
    check_totals(rep_api, "salesorders", order, "order_details", "10245.00")  # locked: unchanged
    assert rep_api.post("UnlockSalesOrderPricing", {"SalesOrderId": order}).status == 204
    # line A: (1100 − 100) × 10 − 100 = 9900; B 1000 → detail 10900, −1090 −200 +50 +1485
    doc = check_totals(rep_api, "salesorders", order, "order_details", "11145.00")
    assert doc["ispricelocked"] is False
    reply = rep_api.post(f"salesorders({order})/Microsoft.Dynamics.CRM.LockSalesOrderPricing")
    assert reply.status == 204, reply.body
    assert rep_api.get(f"salesorders({order})?$select=ispricelocked").body["ispricelocked"] is True

    # --- invoice ------------------------------------------------------------------------------------
    reply = rep_api.post(
        "ConvertSalesOrderToInvoice", {"SalesOrderId": order, "ColumnSet": {"AllColumns": True}}
    )
    assert reply.status == 200, reply.body
    invoice = reply.body["invoiceid"]
    assert reply.body["invoicenumber"].startswith("INV-") and reply.body["totalamount"] == D("11145")
    check_totals(rep_api, "invoices", invoice, "invoice_details", "11145.00")
    assert rep_api.get(f"salesorders({order})?$select=statecode").body["statecode"] == 4  # Invoiced
    reply = rep_api.post(
        f"invoices({invoice})/Microsoft.Dynamics.CRM.GetInvoiceProductsFromOpportunity",
        {"Opportunity": {"opportunityid": opp}},
    )
    assert reply.status == 204, reply.body
    # New catalog lines take today's price (1100) even on a locked invoice: detail 21800, total 22440.
    doc = check_totals(rep_api, "invoices", invoice, "invoice_details", "22440.00")
    assert len(doc["invoice_details"]) == 4
    assert [x["sequencenumber"] for x in doc["invoice_details"]] == [1, 2, 3, 4]

    # --- (ours) a credit note for one unit, two payments (a Sales manager), as in the README ------------
    line = rep_api.get(f"invoicedetails?$filter=_invoiceid_value eq {invoice}&$top=1").body["value"][0]
    reply = boss_api.post(
        f"invoices({invoice})/Microsoft.Dynamics.CRM.CreateCreditNote",
        {"Lines": [{"invoicedetailid": line["invoicedetailid"], "quantity": 1}], "Reason": "Returned"},
    )
    assert reply.status == 200, reply.body
    credited = reply.body["totalamount"]
    assert reply.body["creditnotenumber"] == "CN-00001" and 0 < credited < D("22440")
    bind = f"/invoices({invoice})"
    first = {"amount": 1000, "paymentmethodcode": 1, "reference": "Wire 4471", "invoiceid@odata.bind": bind}
    assert boss_api.post("invoicepayments", first).status == 204
    part = boss_api.get(f"invoices({invoice})?$select=statecode,statuscode,balancedue").body
    assert (part["statecode"], part["statuscode"]) == (2, 100002)
    assert part["balancedue"] == D("22440") - credited - 1000
    reply = boss_api.post("invoicepayments", {"amount": part["balancedue"], "invoiceid@odata.bind": bind})
    assert reply.status == 204, reply.body
    paid = boss_api.get(f"invoices({invoice})").body
    assert (paid["statecode"], paid["statuscode"], paid["balancedue"]) == (2, 100001, 0)
    assert paid["amountpaid"] + paid["amountcredited"] == D("22440")
    assert paid["datepaid"] == timezone.localdate().isoformat() and paid["totalamount"] == D("22440.00")
