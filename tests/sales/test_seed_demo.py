"""`manage.py seed_demo` loads a demo covering every state, through the services, and is idempotent."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from salesapp.catalog.models import Currency, PriceListItem, Product, ProductState
from salesapp.core.models import OrganizationSettings
from salesapp.customers.models import Account, Contact
from salesapp.pricing import to_base
from salesapp.sales.models import CreditNote, Invoice, Opportunity, Payment, Quote, SalesOrder, TimelineEvent
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
    Payment,
    CreditNote,
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


@pytest.mark.django_db
def test_seed_demo_shows_payments_credit_notes_and_a_second_currency():
    call_command("seed_demo", stdout=StringIO())
    assert OrganizationSettings.load().default_currency.code == "USD"
    eur = Currency.objects.get(code="EUR")
    assert eur.exchange_rate == Decimal("0.92")
    euro = Invoice.objects.filter(currency=eur).exclude(total_amount=0)
    assert euro.exists()
    for invoice in euro:
        assert invoice.exchange_rate == Decimal("0.92")
        assert invoice.total_amount_base == to_base(invoice.total_amount, invoice.exchange_rate, 2)
        assert invoice.total_amount_base > invoice.total_amount  # fewer euros than dollars
    assert euro.filter(amount_paid__gt=0).exists()
    # two instalments, a balance still due
    instalments = [i for i in Invoice.objects.filter(balance_due__gt=0) if i.payments.count() >= 2]
    assert instalments
    invoice = instalments[0]
    assert invoice.status == InvoiceStatus.PARTIAL
    assert invoice.amount_paid == sum(p.amount for p in invoice.payments.all())
    assert invoice.balance_due == invoice.total_amount - invoice.amount_paid - invoice.amount_credited
    assert Payment.objects.exclude(reference="").exists()
    # overdue, partly paid
    assert any(i.is_overdue and i.amount_paid > 0 for i in Invoice.objects.filter(balance_due__gt=0))
    # a credit note, deducted from its invoice's balance
    note = CreditNote.objects.select_related("invoice").get()
    assert note.credit_note_number.startswith("CN-") and note.reason
    assert note.invoice.amount_credited == note.total_amount > 0
    assert (
        note.invoice.balance_due == note.invoice.total_amount - note.total_amount - note.invoice.amount_paid
    )


@pytest.mark.django_db
def test_seed_demo_invoices_are_valid_einvoices():
    """E-invoicing is on in the demo, and every invoice and credit note can be a Factur-X e-invoice."""
    import facturx

    from salesapp.documents.einvoice.cii import cii_xml
    from salesapp.sales.services.einvoice import einvoice_problems

    call_command("seed_demo", stdout=StringIO())
    assert OrganizationSettings.load().einvoicing
    documents = [*Invoice.objects.all(), *CreditNote.objects.all()]
    assert documents
    for document in documents:
        assert einvoice_problems(document) == [], document.number
    for document in (documents[0], documents[-1]):
        assert facturx.xml_check_xsd(cii_xml(document), flavor="factur-x", level="en16931")
