"""The remaining actions of WEBAPI.md, each checked by the state it leaves behind."""

import datetime

import pytest

from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder


def bind(set_name: str, key) -> str:
    return f"/{set_name}({key})"


@pytest.mark.django_db
def test_generate_order_and_invoice_from_opportunity(rep_api, opportunity):
    for action, logical in (
        ("GenerateSalesOrderFromOpportunity", "salesorder"),
        ("GenerateInvoiceFromOpportunity", "invoice"),
    ):
        reply = rep_api.post(
            action,
            {
                "OpportunityId": str(opportunity.pk),
                "ColumnSet": {"Columns": ["totalamount", "ispricelocked"]},
            },
        )
        assert reply.status == 200, reply.body
        assert reply.body["@odata.type"] == f"#Microsoft.Dynamics.CRM.{logical}"
        assert reply.body["ispricelocked"] is False and reply.body["totalamount"] == opportunity.total_amount
    assert SalesOrder.objects.get().opportunity_id == Invoice.objects.get().opportunity_id == opportunity.pk
    bad = rep_api.post(
        "GenerateSalesOrderFromOpportunity",
        {"OpportunityId": str(opportunity.pk), "ColumnSet": {"Columns": ["nosuch"]}},
    )
    assert bad.status == 400 and SalesOrder.objects.count() == 1


@pytest.mark.django_db
def test_revise_and_close_quote(rep_api, opportunity, rep):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    services.quote_activate(quote=quote, by=rep)
    reply = rep_api.post("ReviseQuote", {"QuoteId": str(quote.pk), "ColumnSet": {"AllColumns": True}})
    assert reply.status == 200, reply.body
    assert reply.body["quotenumber"] == quote.quote_number and reply.body["revisionnumber"] == 1
    assert (Quote.objects.get(pk=quote.pk).state, Quote.objects.get(pk=quote.pk).status) == (3, 7)
    draft = Quote.objects.get(pk=reply.body["quoteid"])
    assert rep_api.patch(f"quotes({draft.pk})", {"statecode": 1}).status == 204
    reply = rep_api.post(
        "CloseQuote",
        {
            "QuoteClose": {
                "quoteid@odata.bind": bind("quotes", draft.pk),
                "subject": "Lost",
                "description": "Price",
            },
            "Status": 5,
        },
    )
    assert reply.status == 204, reply.body
    draft.refresh_from_db()
    assert (draft.state, draft.status) == (3, 5)
    again = rep_api.post(
        "CloseQuote", {"QuoteClose": {"quoteid@odata.bind": bind("quotes", draft.pk)}, "Status": 5}
    )
    assert again.status == 400 and "Close Quote isn't possible" in again.error


@pytest.mark.django_db
def test_win_lose_and_reopen_opportunity(rep_api, opportunity):
    reply = rep_api.post(
        "WinOpportunity",
        {
            "OpportunityClose": {
                "opportunityid@odata.bind": bind("opportunities", opportunity.pk),
                "actualrevenue": 1234.5,
                "actualend": "2024-03-01",
            },
            "Status": 3,
        },
    )
    assert reply.status == 204, reply.body
    opportunity.refresh_from_db()
    assert (opportunity.state, str(opportunity.actual_revenue), opportunity.actual_close_date) == (
        1,
        "1234.5000",
        datetime.date(2024, 3, 1),
    )
    assert rep_api.patch(f"opportunities({opportunity.pk})", {"statecode": 0}).status == 204  # Reopen
    reply = rep_api.post(
        "LoseOpportunity",
        {
            "OpportunityClose": {
                "opportunityid@odata.bind": bind("opportunities", opportunity.pk),
                "competitorid": "Contoso",
            },
            "Status": 5,
        },
    )
    assert reply.status == 204, reply.body
    opportunity.refresh_from_db()
    assert (opportunity.state, opportunity.status, opportunity.competitor) == (2, 5, "Contoso")
    reply = rep_api.post("GenerateQuoteFromOpportunity", {"OpportunityId": str(opportunity.pk)})
    assert reply.status == 400 and Quote.objects.count() == 0  # never from a Lost opportunity


@pytest.mark.django_db
def test_fulfill_order_and_get_products(rep_api, opportunity, rep, account):
    order = services.document_create(SalesOrder, by=rep, customer=account, name="From scratch")
    reply = rep_api.post(
        f"salesorders({order.pk})/Microsoft.Dynamics.CRM.GetSalesOrderProductsFromOpportunity",
        {"Opportunity": {"opportunityid": str(opportunity.pk)}},
    )
    assert reply.status == 204, reply.body
    order.refresh_from_db()
    assert order.lines.count() == 2 and order.total_amount == opportunity.total_amount
    reply = rep_api.post(
        "FulfillSalesOrder",
        {"OrderClose": {"salesorderid@odata.bind": bind("salesorders", order.pk)}, "Status": 100002},
    )
    assert reply.status == 204, reply.body
    order.refresh_from_db()
    assert (order.state, order.status) == (3, 100002)
    quote = services.document_create(Quote, by=rep, customer=account, name="Scratch quote")
    reply = rep_api.post(
        f"quotes({quote.pk})/Microsoft.Dynamics.CRM.GetQuoteProductsFromOpportunity",
        {"Opportunity": {"opportunityid": str(opportunity.pk)}},
    )
    assert reply.status == 204 and quote.lines.count() == 2
    wrong_set = rep_api.post(
        f"quotes({quote.pk})/Microsoft.Dynamics.CRM.GetInvoiceProductsFromOpportunity",
        {"Opportunity": {"opportunityid": str(opportunity.pk)}},
    )
    assert wrong_set.status == 404


@pytest.mark.django_db
def test_lock_and_unlock_invoice_pricing(rep_api, opportunity, rep, product, price_list, boss_api):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    assert rep_api.post(f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.LockInvoicePricing").status == 204
    item = price_list.items.get(product=product)
    assert boss_api.patch(f"productpricelevels({item.pk})", {"amount": 150}).status == 204
    assert rep_api.get(f"invoices({invoice.pk})").body["totalamount"] == invoice.total_amount  # locked
    assert rep_api.post("UnlockInvoicePricing", {"InvoiceId": str(invoice.pk)}).status == 204
    body = rep_api.get(f"invoices({invoice.pk})?$select=totalamount,ispricelocked").body
    assert body["ispricelocked"] is False and body["totalamount"] == invoice.total_amount + 100  # 2 × +50


@pytest.mark.django_db
def test_reading_an_unlocked_document_reprices_it(rep_api, opportunity, product, price_list, boss_api):
    item = price_list.items.get(product=product)
    assert boss_api.patch(f"productpricelevels({item.pk})", {"amount": 120}).status == 204
    body = rep_api.get(f"opportunities({opportunity.pk})?$select=totalamount").body
    assert body["totalamount"] == opportunity.total_amount + 40
    assert Opportunity.objects.get(pk=opportunity.pk).total_amount == opportunity.total_amount + 40


@pytest.mark.django_db
def test_partial_payment_needs_an_amount(boss_api, opportunity, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    reply = boss_api.patch(f"invoices({invoice.pk})", {"statecode": 2, "statuscode": 100002})
    assert reply.status == 400 and "amount received" in reply.error
    reply = boss_api.patch(f"invoices({invoice.pk})", {"statuscode": 100001, "amountpaid": 1})
    assert reply.status == 400 and "Partial" in reply.error
    reply = boss_api.patch(
        f"invoices({invoice.pk})", {"statuscode": 100002, "amountpaid": 100.5, "datepaid": "2024-01-31"}
    )
    assert reply.status == 204, reply.body
    invoice.refresh_from_db()
    assert (invoice.state, invoice.status, str(invoice.amount_paid), invoice.date_paid) == (
        2,
        100002,
        "100.5000",
        datetime.date(2024, 1, 31),
    )
    again = boss_api.patch(f"invoices({invoice.pk})", {"statecode": 3})
    assert again.status == 400 and "Cancel Invoice isn't possible" in again.error
