"""Only Active products enter a document, by every path (SPEC §5): a product retired after it was put
on an opportunity can't be carried into a quote, order or invoice by Generate or Get Products."""

from decimal import Decimal

import pytest
from django.test import Client

from salesapp.catalog import services as catalog
from salesapp.catalog.models import ProductState
from salesapp.core.exceptions import DomainError
from salesapp.core.models import NumberSequence
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db

DOCUMENTS = (Quote, SalesOrder, Invoice)


def snapshot() -> tuple[dict, dict]:
    counts = {m.__name__: m.objects.count() for m in DOCUMENTS}
    numbers = dict(NumberSequence.objects.values_list("name", "last_value"))
    return counts, numbers


@pytest.fixture
def retired_on_opportunity(rep, boss, account, product) -> Opportunity:
    """An open opportunity with the product on it; the product is retired afterwards."""
    opp = services.document_create(Opportunity, by=rep, customer=account, name="Deal")
    services.line_add(document=opp, by=rep, product=product, quantity=Decimal("2"))
    catalog.product_set_state(product=product, state=ProductState.RETIRED, by=boss)
    opp.refresh_from_db()
    return opp


@pytest.mark.parametrize(
    "generate",
    ["opportunity_generate_quote", "opportunity_generate_order", "opportunity_generate_invoice"],
)
def test_generate_from_an_opportunity_refuses_a_retired_product(
    retired_on_opportunity, rep, product, generate
):
    before = snapshot()
    with pytest.raises(DomainError, match=product.name):
        getattr(services, generate)(opportunity=retired_on_opportunity, by=rep)
    assert snapshot() == before, "a document was created or a number consumed"


@pytest.mark.parametrize(
    "action",
    ["GenerateQuoteFromOpportunity", "GenerateSalesOrderFromOpportunity", "GenerateInvoiceFromOpportunity"],
)
def test_the_api_generate_actions_refuse_a_retired_product(retired_on_opportunity, rep, product, action):
    before = snapshot()
    reply = Api(token_for(rep)).post(
        action, {"OpportunityId": str(retired_on_opportunity.pk), "ColumnSet": {"AllColumns": True}}
    )
    assert reply.status == 400 and product.name in reply.error, (reply.status, reply.body)
    assert snapshot() == before


def test_the_screen_create_invoice_refuses_a_retired_product(retired_on_opportunity, rep, product):
    client = Client()
    client.force_login(rep)
    before = snapshot()
    response = client.post(
        f"/opportunities/{retired_on_opportunity.pk}/create-invoice/",
        {"create-invoice-row_version": retired_on_opportunity.row_version},
        follow=True,
    )
    assert response.status_code == 200
    assert snapshot() == before
    messages = [str(m) for m in response.context["messages"]]
    assert any(product.name in m for m in messages), messages


@pytest.mark.parametrize("model", DOCUMENTS)
def test_get_products_refuses_a_retired_product(retired_on_opportunity, rep, account, product, model):
    document = services.document_create(model, by=rep, customer=account, name="Target")
    before = snapshot(), document.lines.count()
    with pytest.raises(DomainError, match=product.name):
        services.get_products(document=document, opportunity=retired_on_opportunity, by=rep)
    assert (snapshot(), document.lines.count()) == before
