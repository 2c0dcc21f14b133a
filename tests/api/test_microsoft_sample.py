"""Microsoft's published sample "Process quotes, sales orders and invoices" replayed over HTTP.

Written from the sample's documented steps (Dynamics365-Apps-Samples, sales/
ProcessQuotesSalesOrdersInvoices: SampleMethod.cs sets up, SampleProgram.cs demonstrates), each SDK
request turned into the Web API call Dataverse documents for it, on a database that had only
`migrate` (no demo data, no currency created by the test: the base currency comes from migrate).
The totals checked are the ones the sample prints: 20 → still 20 on the locked order after the price
moves to 30 → 30 once unlocked → the invoice starts locked at 30 → still 30 after the price moves to
40 → 40 once unlocked.
"""

from decimal import Decimal

import pytest

from salesapp.catalog.models import Currency
from tests import factories
from tests.api.conftest import Api, token_for

# A transactional test restored to what `migrate` left (other tests may have flushed the tables).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def total(api: Api, set_name: str, key: str) -> Decimal:
    reply = api.get(f"{set_name}({key})?$select=totalamount")
    assert reply.status == 200, reply.body
    return reply.body["totalamount"]


def ok(reply, status: int = 204):
    assert reply.status == status, (reply.status, reply.body)
    return reply


def test_microsoft_sample_runs_unchanged_on_a_fresh_install():
    assert list(Currency.objects.values_list("code", flat=True)) == ["USD"]  # from migrate alone
    api = Api(token_for(factories.manager()))

    # --- SetUpSample / CreateRequiredRecords ---
    group = api.create("uomschedules", {"name": "Example Unit Group", "baseuomname": "Example Primary Unit"})
    units = ok(api.get(f"uoms?$select=uomid,name&$filter=_uomscheduleid_value eq {group}&$top=1"), 200)
    unit = units.body["value"][0]["uomid"]
    product = api.create(
        "products",
        {
            "productnumber": "1",
            "name": "Example Product",
            "productstructure": 1,
            "quantitydecimal": 1,
            "defaultuomscheduleid@odata.bind": f"/uomschedules({group})",
            "defaultuomid@odata.bind": f"/uoms({unit})",
        },
    )
    price_list = api.create("pricelevels", {"name": "Example Price List"})  # no currency: the base one
    item = api.create(
        "productpricelevels",
        {
            "pricelevelid@odata.bind": f"/pricelevels({price_list})",
            "productid@odata.bind": f"/products({product})",
            "uomid@odata.bind": f"/uoms({unit})",
            "amount": Decimal("20.0"),
        },
    )
    ok(api.patch(f"products({product})", {"statecode": 0, "statuscode": 1}))  # SetState: publish
    account = api.create("accounts", {"name": "Litware, Inc.", "address1_postalcode": "60661"})

    # --- Create Opportunities, Win one, Lose the other ---
    def opportunity(name: str) -> str:
        return api.create(
            "opportunities",
            {
                "customerid_account@odata.bind": f"/accounts({account})",
                "name": name,
                "pricelevelid@odata.bind": f"/pricelevels({price_list})",
            },
        )

    won, lost = opportunity("Sample"), opportunity("Another Sample")
    ok(
        api.post(
            "WinOpportunity",
            {"OpportunityClose": {"opportunityid@odata.bind": f"/opportunities({won})"}, "Status": 3},
        )
    )
    ok(
        api.post(
            "LoseOpportunity",
            {"OpportunityClose": {"opportunityid@odata.bind": f"/opportunities({lost})"}, "Status": 4},
        )
    )

    # --- Convert Opportunity to a Quote ---
    generate = {"OpportunityId": won, "ColumnSet": {"Columns": ["quoteid", "name"]}}
    quote = ok(api.post("GenerateQuoteFromOpportunity", generate), 200).body["quoteid"]

    # --- Close Quote: a second quote, without products, activated and closed with Status -1 ---
    close_quote = ok(api.post("GenerateQuoteFromOpportunity", generate), 200).body["quoteid"]
    ok(api.patch(f"quotes({close_quote})", {"statecode": 1, "statuscode": 2}))
    ok(
        api.post(
            "CloseQuote",
            {
                "QuoteClose": {"quoteid@odata.bind": f"/quotes({close_quote})", "subject": "Quote Close"},
                "Status": -1,
            },
        )
    )

    # --- Create Quote's Product, activate, win ---
    api.create(
        "quotedetails",
        {
            "productid@odata.bind": f"/products({product})",
            "quantity": 1,
            "quoteid@odata.bind": f"/quotes({quote})",
            "uomid@odata.bind": f"/uoms({unit})",
        },
    )
    ok(api.patch(f"quotes({quote})", {"statecode": 1, "statuscode": 2}))
    ok(
        api.post(
            "WinQuote",
            {
                "QuoteClose": {"subject": "Quote Close", "quoteid@odata.bind": f"/quotes({quote})"},
                "Status": -1,
            },
        )
    )

    # --- Convert Quote to SalesOrder; convert it again and cancel that order ---
    convert = {"QuoteId": quote, "ColumnSet": {"Columns": ["salesorderid", "totalamount"]}}
    order = ok(api.post("ConvertQuoteToSalesOrder", convert), 200).body
    assert order["totalamount"] == Decimal("20")
    close_order = ok(api.post("ConvertQuoteToSalesOrder", convert), 200).body["salesorderid"]
    ok(
        api.post(
            "CancelSalesOrder",
            {
                "OrderClose": {"salesorderid@odata.bind": f"/salesorders({close_order})", "subject": "Close"},
                "Status": -1,
            },
        )
    )

    # --- Lock pricing on SalesOrder (locked by default after the conversion) ---
    ok(api.patch(f"productpricelevels({item})", {"amount": Decimal("30.0")}))
    assert total(api, "salesorders", order["salesorderid"]) == Decimal("20")
    ok(api.post("UnlockSalesOrderPricing", {"SalesOrderId": order["salesorderid"]}))
    assert total(api, "salesorders", order["salesorderid"]) == Decimal("30")
    ok(api.post(f"salesorders({order['salesorderid']})/Microsoft.Dynamics.CRM.LockSalesOrderPricing", {}))

    # --- Convert SalesOrder to Invoice; lock pricing on the invoice ---
    to_invoice = {
        "SalesOrderId": order["salesorderid"],
        "ColumnSet": {"Columns": ["invoiceid", "totalamount"]},
    }
    invoice = ok(api.post("ConvertSalesOrderToInvoice", to_invoice), 200).body
    assert invoice["totalamount"] == Decimal("30")
    ok(api.patch(f"productpricelevels({item})", {"amount": Decimal("40.0")}))
    assert total(api, "invoices", invoice["invoiceid"]) == Decimal("30")
    ok(api.post("UnlockInvoicePricing", {"InvoiceId": invoice["invoiceid"]}))
    assert total(api, "invoices", invoice["invoiceid"]) == Decimal("40")
    ok(api.post(f"invoices({invoice['invoiceid']})/Microsoft.Dynamics.CRM.LockInvoicePricing", {}))
    assert total(api, "invoices", invoice["invoiceid"]) == Decimal("40")

    # The close activities the sample's requests carried were kept.
    closes = ok(api.get(f"quotecloses?$filter=_quoteid_value eq {close_quote}&$select=subject"), 200)
    assert [c["subject"] for c in closes.body["value"]] == ["Quote Close"]
