"""Web API (ours): VAT category and rate on lines, pricing error 1001, GET invoices(<id>)/facturx.xml."""

from decimal import Decimal

import facturx
import pytest
from lxml import etree

from salesapp.catalog.services import organization_settings_save
from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests import factories

pytestmark = pytest.mark.django_db
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


@pytest.fixture
def invoice(boss, usd, price_list):
    buyer = factories.AccountFactory(
        default_price_list=price_list, address1_country="France", tax_id="FR61954506077"
    )
    return services.document_create(Invoice, by=boss, customer=buyer, name="API e-invoice")


def add(api, invoice, **fields):
    body = {
        "invoiceid@odata.bind": f"/invoices({invoice.pk})",
        "isproductoverridden": True,
        "productdescription": "Consulting",
        "priceperunit": 100,
        "quantity": 2,
        **fields,
    }
    return api.post("invoicedetails", body, Prefer="return=representation")


def test_vat_fields_are_read_and_written_and_the_rate_gives_the_tax(rep_api, invoice):
    reply = add(rep_api, invoice, vatcategorycode="S", vatrate=Decimal("19"))
    assert reply.status == 201, reply.body
    assert reply.body["vatcategorycode"] == "S"
    assert Decimal(str(reply.body["vatrate"])) == Decimal("19")
    assert Decimal(str(reply.body["tax"])) == Decimal("38.00")
    exempt = add(
        rep_api, invoice, vatcategorycode="E", vatrate=0, vatexemptionreason="Art. 132 VAT Directive"
    )
    assert exempt.body["vatexemptionreason"] == "Art. 132 VAT Directive"
    got = rep_api.get(f"invoices({invoice.pk})?$select=totaltax,pricingerrorcode").body
    assert Decimal(str(got["totaltax"])) == Decimal("38.00") and got["pricingerrorcode"] == 0


def test_bad_category_and_rate_name_the_field(rep_api, invoice):
    reply = add(rep_api, invoice, vatcategorycode="X")
    assert reply.status == 400 and "VAT category" in reply.error
    reply = add(rep_api, invoice, vatcategorycode="S", vatrate=150)
    assert reply.status == 400 and "vatrate must be between 0 and 100" in reply.error
    line = add(rep_api, invoice, vatcategorycode="S", vatrate=19).body
    cleared = rep_api.patch(
        f"invoicedetails({line['invoicedetailid']})", {"vatcategorycode": None, "vatrate": None}
    )
    assert cleared.status == 204
    assert rep_api.get(f"invoicedetails({line['invoicedetailid']})").body["vatcategorycode"] in ("", None)


def test_mixed_lines_are_pricing_error_1001_and_block_sending(rep_api, invoice):
    add(rep_api, invoice, vatcategorycode="S", vatrate=19)
    add(rep_api, invoice, tax=5)
    got = rep_api.get(f"invoices({invoice.pk})?$select=pricingerrorcode").body
    assert got["pricingerrorcode"] == 1001
    reply = rep_api.post(
        f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.SendInvoiceByEmail", {"To": "buyer@example.com"}
    )
    assert reply.status == 400
    assert "line 2" in reply.error and "VAT category" in reply.error


def test_facturx_xml_route(rep_api, boss, invoice):
    add(rep_api, invoice, vatcategorycode="S", vatrate=19)
    refused = rep_api.get(f"invoices({invoice.pk})/facturx.xml")
    assert refused.status == 400 and "VAT id" in refused.error
    organization_settings_save(by=boss, tax_id="DE123456789", address_city="Berlin", address_country="DE")
    reply = rep_api.get(f"invoices({invoice.pk})/facturx.xml")
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/xml"
    assert facturx.xml_check_xsd(reply.body, flavor="factur-x", level="en16931")
    root = etree.fromstring(reply.body)
    assert root.find(f".//{RAM}GrandTotalAmount").text == "238.00"
    assert root.find(f".//{RAM}SpecifiedTradeSettlementPaymentMeans/{RAM}TypeCode").text == "1"
    assert rep_api.get("invoices(00000000-0000-0000-0000-000000000000)/facturx.xml").status == 404
