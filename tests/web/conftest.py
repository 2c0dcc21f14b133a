"""Fixtures for the browser screens: documents in every state, built through the services."""

from decimal import Decimal

import pytest

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories


@pytest.fixture
def invoice(account, product, rep) -> Invoice:
    """An active, unlocked invoice: 2 × product (100.00) and a write-in 1 × 50.00 with tax 5.00."""
    inv = services.document_create(Invoice, by=rep, customer=account, name="Invoice for web")
    services.line_add(document=inv, by=rep, product=product, quantity=Decimal("2"))
    services.line_add(
        document=inv,
        by=rep,
        write_in_name="Installation",
        quantity=Decimal("1"),
        price_per_unit=Decimal("50.00"),
        tax=Decimal("5.00"),
    )
    inv.refresh_from_db()
    return inv


@pytest.fixture
def quote(opportunity, rep):
    return services.opportunity_generate_quote(opportunity=opportunity, by=rep)


@pytest.fixture
def order(opportunity, rep):
    return services.opportunity_generate_order(opportunity=opportunity, by=rep)


@pytest.fixture
def nobody(db):
    """A logged-in user without a sales role."""
    return factories.UserFactory(username="norole")
