"""Where we followed Dynamics 365 more closely (issue "Dynamics 365 clients run unchanged").

Each test names the Microsoft documentation page its behaviour comes from.
"""

import datetime
from decimal import Decimal

import pytest

from salesapp.sales import services
from salesapp.sales.models import OrderClose, Quote, QuoteClose, SalesOrder
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_product_is_published_retired_and_revised_with_statecode_and_statuscode_as_a_pair(
    boss_api, price_list
):
    """learn.microsoft.com … /product (EntityType): statecode 0 Active/1 Retired/2 Draft/3 Under
    Revision, statuscode 1 Active/2 Retired/0 Draft/3 Under Revision; SetState takes both."""
    product = factories.ProductFactory(state=2)
    for state, status in ((0, 1), (3, 3), (1, 2), (2, 0)):
        reply = boss_api.patch(f"products({product.pk})", {"statecode": state, "statuscode": status})
        assert reply.status == 204, reply.body
        read = boss_api.get(f"products({product.pk})?$select=statecode,statuscode").body
        assert (read["statecode"], read["statuscode"]) == (state, status)
    refused = boss_api.patch(f"products({product.pk})", {"statecode": 0, "statuscode": 2})
    assert refused.status == 400 and "statuscode 2 (Retired) goes with statecode 1" in refused.error
    alone = boss_api.patch(f"products({product.pk})", {"statuscode": 1})  # the state follows the status
    assert alone.status == 204 and boss_api.get(f"products({product.pk})").body["statecode"] == 0


def test_due_by_is_expireson_and_requested_delivery_goes_to_the_order(boss_api, opportunity, rep):
    """quote EntityType: expireson is "Due By"; requestdeliveryby is "Requested Delivery"."""
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    reply = boss_api.patch(
        f"quotes({quote.pk})", {"expireson": "2027-01-31", "requestdeliveryby": "2027-02-15"}
    )
    assert reply.status == 204, reply.body
    quote.refresh_from_db()
    assert (quote.due_by, quote.requested_delivery_by) == (
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 15),
    )
    services.quote_activate(quote=quote, by=rep)
    order = services.quote_create_order(quote=quote, by=rep)
    assert order.requested_delivery_by == datetime.date(2027, 2, 15)


def test_ispricelocked_is_writable_through_the_lock_services(boss_api, opportunity, rep, product, price_list):
    """salesorder EntityType: ispricelocked; PATCH runs Lock Pricing / Use Current Pricing."""
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    assert boss_api.patch(f"salesorders({order.pk})", {"ispricelocked": True}).status == 204
    item = price_list.items.get(product=product)
    from salesapp.catalog import services as catalog

    catalog.price_list_item_save(item=item, amount=Decimal("150.00"))
    assert boss_api.get(f"salesorders({order.pk})").body["totalamount"] == Decimal("255.00")  # locked
    assert boss_api.patch(f"salesorders({order.pk})", {"ispricelocked": False}).status == 204
    body = boss_api.get(f"salesorders({order.pk})").body
    assert (body["ispricelocked"], body["totalamount"]) == (False, Decimal("355.00"))


def test_close_quote_as_revised_with_a_new_revision_and_its_close_activity(opportunity, rep):
    """CloseQuote: Status 7 (Revised); the Close Quote dialog's "Create Revised Quote"."""
    quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=opportunity, by=rep), by=rep
    )
    draft = services.quote_close(quote=quote, by=rep, status=7, create_revision=True, subject="New terms")
    assert (draft.state, draft.quote_number, draft.revision_number) == (0, quote.quote_number, 1)
    quote.refresh_from_db()
    assert (quote.state, quote.status) == (3, 7)
    assert QuoteClose.objects.get(quote=quote).subject == "New terms"


def test_close_the_opportunity_only_with_its_last_open_quote(opportunity, rep):
    first = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=opportunity, by=rep), by=rep
    )
    second = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    from salesapp.core.exceptions import ValidationFailed
    from salesapp.sales.forms import CloseQuoteForm

    assert "close_opportunity" not in CloseQuoteForm(document=first).fields
    with pytest.raises(ValidationFailed, match="other open quotes") as refused:
        services.quote_close(quote=first, by=rep, close_opportunity=True)
    assert refused.value.field == "close_opportunity"
    services.quote_activate(quote=second, by=rep)
    services.quote_close(quote=second, by=rep)
    assert Quote.objects.get(pk=first.pk).state == 1  # the refused close changed nothing
    services.quote_close(quote=Quote.objects.get(pk=first.pk), by=rep, close_opportunity=True)
    opportunity.refresh_from_db()
    assert opportunity.state == 2


def test_close_activities_are_stored_and_readable(boss_api, opportunity, rep):
    """quoteclose / opportunityclose / orderclose EntityTypes (activityid, subject, description,
    actualend, actualrevenue); ConvertQuoteToSalesOrder's QuoteCloseDate / QuoteCloseDescription."""
    quote = services.quote_activate(
        quote=services.opportunity_generate_quote(opportunity=opportunity, by=rep), by=rep
    )
    reply = boss_api.post(
        "ConvertQuoteToSalesOrder",
        {
            "QuoteId": str(quote.pk),
            "ColumnSet": {"AllColumns": True},
            "QuoteCloseDate": "2026-11-30",
            "QuoteCloseSubject": "Signed",
            "QuoteCloseDescription": "PO 4711",
        },
    )
    assert reply.status == 200, reply.body
    closes = boss_api.get(f"quotecloses?$filter=_quoteid_value eq {quote.pk}").body["value"]
    assert [(c["subject"], c["description"], c["actualend"]) for c in closes] == [
        ("Signed", "PO 4711", "2026-11-30")
    ]
    assert "activityid" in closes[0]
    order = SalesOrder.objects.get(pk=reply.body["salesorderid"])
    boss_api.post(
        "FulfillSalesOrder",
        {
            "OrderClose": {"salesorderid@odata.bind": f"/salesorders({order.pk})", "subject": "Shipped"},
            "Status": -1,
        },
    )
    assert OrderClose.objects.get(sales_order=order).subject == "Shipped"
    reply = boss_api.post(
        "WinOpportunity",
        {
            "OpportunityClose": {
                "opportunityid@odata.bind": f"/opportunities({opportunity.pk})",
                "subject": "Won it",
                "actualrevenue": 300,
                "actualend": "2026-11-29",
            },
            "Status": 3,
        },
    )
    assert reply.status == 204, reply.body
    closes = boss_api.get("opportunitycloses?$select=subject,actualrevenue,actualend").body["value"]
    assert [(c["subject"], c["actualrevenue"], c["actualend"]) for c in closes] == [
        ("Won it", 300, "2026-11-29")
    ]
    assert boss_api.post("quotecloses", {"subject": "x"}).status == 405


def test_an_order_is_canceled_by_cancelsalesorder_not_by_patch(boss_api, opportunity, rep):
    """salesorder: "use CancelSalesOrder" — SetState to Canceled is not allowed in Dynamics 365."""
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    reply = boss_api.patch(f"salesorders({order.pk})", {"statecode": 2, "statuscode": 4})
    assert reply.status == 400 and "CancelSalesOrder" in reply.error
    assert SalesOrder.objects.get(pk=order.pk).state == 0


def test_on_hold_and_pending_are_reachable(boss_api, opportunity, rep):
    """opportunity statuscode 2 On Hold; salesorder statuscode 2 Pending (both in the Open/Active state)."""
    assert boss_api.patch(f"opportunities({opportunity.pk})", {"statuscode": 2}).status == 204
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    assert boss_api.patch(f"salesorders({order.pk})", {"statecode": 0, "statuscode": 2}).status == 204
    opportunity.refresh_from_db()
    order.refresh_from_db()
    assert (opportunity.state, opportunity.status, order.state, order.status) == (0, 2, 0, 2)


def test_a_second_paid_patch_with_another_amount_is_refused_not_dropped(boss_api, opportunity, rep):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    first = boss_api.patch(
        f"invoices({invoice.pk})", {"statuscode": 100002, "amountpaid": 100, "datepaid": "2026-11-02"}
    )
    assert first.status == 204, first.body
    again = boss_api.patch(
        f"invoices({invoice.pk})", {"statuscode": 100002, "amountpaid": 50, "datepaid": "2026-11-03"}
    )
    assert again.status == 400 and "amountpaid" in again.error
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.date_paid) == (Decimal("100"), datetime.date(2026, 11, 2))
