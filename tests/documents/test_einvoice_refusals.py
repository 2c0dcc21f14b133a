"""E-invoicing on (ours): Send by Email and Download PDF refuse a document that can't be a valid
EN 16931 e-invoice, saying what to fix; VAT categories travel with the lines through every conversion."""

from decimal import Decimal

import pytest
from django.test import Client

from salesapp.catalog.services import organization_settings_save
from salesapp.core.exceptions import ValidationFailed
from salesapp.documents.models import Delivery, DocumentPdf
from salesapp.documents.services import delivery_queue, document_pdf
from salesapp.sales import services
from salesapp.sales.models import Invoice
from salesapp.sales.services.einvoice import einvoice_problems, vat_breakdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def einvoicing(boss, usd):
    return organization_settings_save(by=boss, einvoicing=True)


def test_send_is_refused_with_every_problem_named(einvoicing, invoice, rep):
    # the conftest invoice: no seller VAT id, no categories on its lines
    problems = einvoice_problems(invoice)
    assert any("VAT id" in p for p in problems)
    assert sum("has no VAT category" in p for p in problems) == 2
    with pytest.raises(ValidationFailed) as exc:
        delivery_queue(document=invoice, by=rep, to="buyer@customer.example", subject="Invoice")
    assert "can't be a valid EN 16931 e-invoice" in exc.value.message and "Settings" in exc.value.message
    assert not Delivery.objects.exists()


def test_download_pdf_says_what_to_fix_instead_of_a_pdf(einvoicing, invoice, rep):
    client = Client()
    client.force_login(rep)
    response = client.get(f"/documents/invoices/{invoice.pk}/pdf/", follow=True)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "EN 16931 e-invoice" in response.content.decode()
    assert not DocumentPdf.objects.exists()


def test_with_einvoicing_off_the_dynamics_flow_is_untouched(invoice, rep):
    assert document_pdf(invoice).startswith(b"%PDF")
    delivery_queue(document=invoice, by=rep, to="buyer@customer.example", subject="Invoice")


def test_an_exempt_line_needs_its_reason(boss, einvoicing, account, rep):
    organization_settings_save(by=boss, tax_id="DE123456789", address_country="DE")
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Exempt")
    services.line_add(
        document=invoice,
        by=rep,
        write_in_name="Training",
        quantity=Decimal("1"),
        price_per_unit=Decimal("100.00"),
        vat_category="E",
        tax_rate=Decimal("0"),
    )
    assert einvoice_problems(invoice) == [
        "Line 1, Training, is exempt from VAT: give the exemption reason (the law that exempts it)."
    ]


def test_vat_category_travels_from_opportunity_to_credit_note(opportunity, rep, boss):
    for line in opportunity.lines.all():
        services.line_update(line=line, by=rep, vat_category="S", tax_rate=Decimal("19"))
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    services.quote_activate(quote=quote, by=rep)
    order = services.quote_create_order(quote=quote, by=rep)
    invoice = services.order_create_invoice(order=order, by=rep)
    note = services.credit_note_create(invoice=invoice, by=boss)
    for document in (quote, order, invoice, note):
        assert {(x.vat_category, x.tax_rate) for x in document.lines.all()} == {("S", Decimal("19.0000"))}
        document.refresh_from_db()
        rows = vat_breakdown(document)
        assert [(r.category, r.rate, r.basis) for r in rows] == [("S", Decimal("19"), Decimal("250.00"))]
        assert document.total_tax == Decimal("47.50") and document.total_amount == Decimal("297.50")
