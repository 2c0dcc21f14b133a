"""No token / revoked token → 401, a salesperson on a manager-only change → 403; nothing changes."""

from decimal import Decimal

import pytest

from salesapp.api.models import ApiToken
from salesapp.catalog.models import PriceListItem, Product
from salesapp.sales import services
from salesapp.sales.models import Invoice, Quote, SalesOrder, TimelineEvent
from tests import factories
from tests.api.conftest import Api, token_for


def snapshot() -> tuple:
    return (
        Product.objects.count(),
        Invoice.objects.count(),
        SalesOrder.objects.count(),
        Quote.objects.count(),
        TimelineEvent.objects.count(),
        tuple(Invoice.objects.order_by("pk").values_list("state", "status", "row_version")),
        tuple(SalesOrder.objects.order_by("pk").values_list("state", "status", "row_version")),
        tuple(PriceListItem.objects.order_by("pk").values_list("amount", "modified_on")),
    )


@pytest.fixture
def invoice(opportunity, rep) -> Invoice:
    return services.opportunity_generate_invoice(opportunity=opportunity, by=rep)


@pytest.fixture
def order(opportunity, rep) -> SalesOrder:
    return services.opportunity_generate_order(opportunity=opportunity, by=rep)


@pytest.mark.django_db
def test_no_token_is_401_and_nothing_changes(invoice, opportunity):
    before = snapshot()
    anonymous = Api(None)
    for method, path, body in [
        ("GET", "invoices", None),
        ("GET", f"invoices({invoice.pk})", None),
        ("POST", "GenerateQuoteFromOpportunity", {"OpportunityId": str(opportunity.pk)}),
        ("PATCH", f"invoices({invoice.pk})", {"name": "hacked"}),
        ("GET", "EntityDefinitions", None),
    ]:
        reply = anonymous.call(method, path, body)
        assert reply.status == 401, (path, reply.body)
        assert reply.body["error"]["code"].startswith("0x") and "token" in reply.error
    assert snapshot() == before


@pytest.mark.django_db
def test_session_cookie_is_not_accepted(invoice, rep):
    api = Api(None)
    api.client.force_login(rep)
    assert api.get("invoices").status == 401
    assert api.patch(f"invoices({invoice.pk})", {"name": "via cookie"}).status == 401
    assert Invoice.objects.get(pk=invoice.pk).name != "via cookie"


@pytest.mark.django_db
def test_revoked_and_wrong_tokens_are_401(invoice, rep):
    token, plain = ApiToken.issue(user=rep, name="ci")
    api = Api(plain)
    assert api.get("invoices").status == 200
    token.revoke()
    before = snapshot()
    assert api.get("invoices").status == 401
    assert api.patch(f"invoices({invoice.pk})", {"name": "after revoke"}).status == 401
    assert Api(plain + "x").get("invoices").status == 401
    assert Api("").get("invoices").status == 401
    assert snapshot() == before


@pytest.mark.django_db
def test_a_user_without_a_sales_role_is_403(db):
    nobody = factories.UserFactory(username="nobody")
    assert Api(token_for(nobody)).get("invoices").status == 403


@pytest.mark.django_db
def test_salesperson_cannot_do_manager_only_changes(rep_api, invoice, order, product, price_list):
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    before = snapshot()
    attempts = [
        ("PATCH", f"invoices({invoice.pk})", {"statecode": 2, "statuscode": 100001}),  # Invoice Paid
        ("PATCH", f"invoices({invoice.pk})", {"statuscode": 100002, "amountpaid": 1}),  # Partial
        ("PATCH", f"invoices({invoice.pk})", {"statecode": 3}),  # Cancel Invoice
        ("PATCH", f"invoices({invoice.pk})", {"name": "renamed", "statecode": 3}),  # nothing half-done
        (
            "POST",
            "CancelSalesOrder",
            {"OrderClose": {"salesorderid@odata.bind": f"/salesorders({order.pk})"}, "Status": -1},
        ),
        ("POST", "products", {"productnumber": "X-1", "name": "Nope"}),
        ("PATCH", f"products({product.pk})", {"price": 1}),
        ("PATCH", f"productpricelevels({item.pk})", {"amount": Decimal("1.00")}),
        ("DELETE", f"productpricelevels({item.pk})", None),
        ("POST", "uomschedules", {"name": "Nope", "baseuomname": "x"}),
        ("POST", "pricelevels", {"name": "Nope"}),
    ]
    for method, path, body in attempts:
        reply = rep_api.call(method, path, body)
        assert reply.status == 403, (method, path, reply.status, reply.body)
        assert "Sales manager" in reply.error
    assert snapshot() == before
    # …while the same salesperson may do the salesperson things
    assert rep_api.patch(f"invoices({invoice.pk})", {"statuscode": 4}).status == 204  # Billed
    assert rep_api.get(f"products({product.pk})").status == 200


@pytest.mark.django_db
def test_manager_may_cancel_an_order_and_an_invoice(boss_api, invoice, order):
    reply = boss_api.post(
        "CancelSalesOrder",
        {
            "OrderClose": {
                "salesorderid@odata.bind": f"/salesorders({order.pk})",
                "description": "Budget cut",
            },
            "Status": -1,
        },
    )
    assert reply.status == 204, reply.body
    order.refresh_from_db()
    assert (order.state, order.status, order.cancel_reason) == (2, 4, "Budget cut")
    assert boss_api.patch(f"invoices({invoice.pk})", {"statecode": 3}).status == 204
    assert Invoice.objects.get(pk=invoice.pk).state == 3
