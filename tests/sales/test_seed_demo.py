"""`manage.py seed_demo` loads a demo covering every state, through the services, and is idempotent."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from salesapp.catalog.models import PriceListItem, Product, ProductState
from salesapp.customers.models import Account, Contact
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder, TimelineEvent
from salesapp.sales.states import InvoiceState, InvoiceStatus, OpportunityState, OrderState, QuoteState

MODELS = (
    User,
    Product,
    PriceListItem,
    Account,
    Contact,
    Opportunity,
    Quote,
    SalesOrder,
    Invoice,
    TimelineEvent,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_seed_demo_covers_every_state_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    assert "sally" in out.getvalue() and "max" in out.getvalue() and "salesapp-demo" in out.getvalue()

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert counts() == first
    assert "already loaded" in again.getvalue() and "sally" in again.getvalue()

    assert first["Account"] >= 50 and first["Product"] >= 30
    assert User.objects.get(username="sally").check_password("salesapp-demo")
    assert User.objects.get(username="max").groups.filter(name="Sales manager").exists()
    assert User.objects.get(username="admin").is_superuser
    assert set(Product.objects.values_list("state", flat=True)) == set(ProductState.values)
    assert {s for (s,) in Opportunity.objects.values_list("state")} == set(OpportunityState.values)
    assert {s for (s,) in Quote.objects.values_list("state")} == set(QuoteState.values)
    assert Quote.objects.filter(revision_number__gt=0).exists()
    assert {OrderState.ACTIVE, OrderState.FULFILLED, OrderState.CANCELED, OrderState.INVOICED} <= {
        s for (s,) in SalesOrder.objects.values_list("state")
    }
    assert SalesOrder.objects.filter(prices_locked=True).exists()
    assert SalesOrder.objects.filter(state=OrderState.ACTIVE, prices_locked=False).exists()
    statuses = {s for (s,) in Invoice.objects.values_list("status")}
    assert {InvoiceStatus.COMPLETE, InvoiceStatus.PARTIAL, InvoiceStatus.CANCELED} <= statuses
    assert (
        len(
            statuses
            & {
                InvoiceStatus.NEW,
                InvoiceStatus.BILLED,
                InvoiceStatus.BOOKED,
                InvoiceStatus.INSTALLED,
                InvoiceStatus.PARTIALLY_SHIPPED,
            }
        )
        >= 3
    )
    assert any(invoice.is_overdue for invoice in Invoice.objects.filter(state=InvoiceState.ACTIVE))
    partial = Invoice.objects.filter(status=InvoiceStatus.PARTIAL).first()
    assert 0 < partial.amount_paid < partial.total_amount
