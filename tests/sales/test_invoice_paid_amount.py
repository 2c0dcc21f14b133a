"""Invoice Paid · Complete means amount paid = total: a typed amount that differs is refused by the
service itself, so the screen (which passes what the user typed) refuses it as the API does."""

from decimal import Decimal

import pytest
from django.test import Client

from salesapp.core.exceptions import DomainError
from salesapp.sales import services
from salesapp.sales.models import Invoice
from salesapp.sales.states import InvoiceState, InvoiceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(rep, account, product) -> Invoice:
    """An open invoice for 2 × 100.00 = 200.00."""
    inv = services.document_create(Invoice, by=rep, customer=account, name="To be paid")
    services.line_add(document=inv, by=rep, product=product, quantity=Decimal("2"))
    inv.refresh_from_db()
    assert inv.total_amount == Decimal("200.00")
    return inv


@pytest.mark.parametrize("amount", ["150.00", "250.00", "0.01"])
def test_the_service_refuses_complete_with_an_amount_other_than_the_total(invoice, boss, amount):
    with pytest.raises(DomainError, match="balance due"):
        services.invoice_mark_paid(
            invoice=invoice, by=boss, status=InvoiceStatus.COMPLETE, amount=Decimal(amount)
        )
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ACTIVE and invoice.amount_paid in (None, Decimal("0"))


def test_complete_with_the_total_typed_is_accepted(invoice, boss):
    paid = services.invoice_mark_paid(
        invoice=invoice, by=boss, status=InvoiceStatus.COMPLETE, amount=Decimal("200.00")
    )
    assert (paid.state, paid.status, paid.amount_paid) == (
        InvoiceState.PAID,
        InvoiceStatus.COMPLETE,
        Decimal("200.00"),
    )


def test_the_screen_refuses_complete_with_a_different_amount(invoice, boss):
    # given a manager on the invoice's Invoice Paid dialog
    client = Client()
    client.force_login(boss)
    # when they choose Complete but type 150.00
    response = client.post(
        f"/invoices/{invoice.pk}/paid/",
        {
            "paid-row_version": invoice.row_version,
            "paid-status": InvoiceStatus.COMPLETE,
            "paid-amount": "150.00",
        },
        follow=True,
    )
    # then the invoice stays Active and the page says why
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ACTIVE, f"paid with amount_paid {invoice.amount_paid}"
    assert "total" in response.content.decode()
