"""Acceptance (issue 12): Factur-X EN 16931 invoices and credit notes.

Each PDF must be a PDF/A-3 carrying factur-x.xml (read back with the `factur-x` package), the XML must
pass the Factur-X EN 16931 XSD and the official EN 16931 schematron shipped in that package (its XSLT
run with Saxon-HE through `saxonche`: 0 failed assertions), and the PDF's text must show the totals.
"""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from salesapp.catalog.services import organization_settings_save
from salesapp.core import formatting as fmt
from salesapp.documents.services import document_pdf
from salesapp.sales import services
from salesapp.sales.models import Invoice, PaymentTerms
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal
SCHEMATRON = (
    Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
)
SVRL = "http://purl.oclc.org/dsdl/svrl"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


@pytest.fixture(scope="session")
def schematron():
    """The EN 16931 schematron XSLT, compiled once per test process (it takes a few seconds)."""
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(SCHEMATRON))

    def failed_asserts(xml: bytes) -> list[str]:
        node = processor.parse_xml(xml_text=xml.decode())
        report = etree.fromstring(executable.transform_to_string(xdm_node=node).encode())
        return [
            f"{f.get('id') or ''} {' '.join(''.join(f.itertext()).split())}"
            for f in report.iter(f"{{{SVRL}}}failed-assert")
        ]

    return failed_asserts


@pytest.fixture
def seller(usd, boss):
    usd.code = "EUR"
    usd.symbol = "€"
    usd.save()
    return organization_settings_save(
        by=boss,
        einvoicing=True,
        tax_id="DE 123 456 789",
        address_line1="Friedrichstraße 10",
        address_city="Berlin",
        address_postalcode="10117",
        address_country="Germany",
        iban="DE89 3704 0044 0532 0130 00",
        bic="COBADEFFXXX",
    )


@pytest.fixture
def buyer(price_list):
    return factories.AccountFactory(
        name="Client SARL",
        default_price_list=price_list,
        address1_line1="12 rue de la Paix",
        address1_city="Paris",
        address1_postalcode="75002",
        address1_country="France",
        tax_id="FR61954506077",
    )


def write_in(invoice, name, price, qty="1", *, cat="S", rate="19", reason="", **kw):
    services.line_add(
        document=invoice,
        by=invoice._by,
        write_in_name=name,
        quantity=D(qty),
        price_per_unit=D(price),
        vat_category=cat,
        tax_rate=D(rate) if rate is not None else None,
        vat_exemption_reason=reason,
        **kw,
    )


def make(buyer, by, *, header=None, lines=(), paid=None, product=None):
    invoice = services.document_create(
        Invoice,
        by=by,
        customer=buyer,
        name="Factur-X matrix",
        payment_terms=PaymentTerms.NET_30,
        invoice_date=datetime.date(2026, 11, 2),
    )
    invoice._by = by
    if product is not None:
        services.line_add(
            document=invoice, by=by, product=product, quantity=D("3"), vat_category="S", tax_rate=D("19")
        )
    for args, kw in lines:
        write_in(invoice, *args, **kw)
    if header:
        invoice.refresh_from_db()
        services.document_update(invoice, by=by, **header)
    invoice.refresh_from_db()
    if paid is not None:
        services.payment_record(invoice=invoice, by=by, amount=D(paid), action="pay")
        invoice.refresh_from_db()
    return invoice


def L(*args, **kw):
    return (args, kw)


CASES = {
    "two rates": dict(lines=[L("Consulting day", "800.00", "2"), L("Handbook", "45.90", "3", rate="7")]),
    "header % and amount, freight, catalog and write-in": dict(
        catalog=True,
        lines=[
            L("Installation", "250.00", "1", manual_discount=D("20.00")),
            L("Manual", "12.35", "7", rate="7"),
        ],
        header={"discount_percentage": D("7.5"), "discount_amount": D("33.33"), "freight_amount": D("49.99")},
    ),
    "exempt line and partial payment": dict(
        lines=[
            L(
                "Training",
                "1200.00",
                "1",
                cat="E",
                rate="0",
                reason="Exempt under Art. 132(1)(i) VAT Directive",
            ),
            L("Course material", "99.99", "3"),
        ],
        header={"freight_amount": D("15.00")},
        paid="500.00",
    ),
    "zero rated, header amount only, paid in full": dict(
        lines=[L("Export crate", "310.10", "1", cat="Z", rate="0"), L("Insurance", "41.17", "3")],
        header={"discount_amount": D("10.00")},
        paid="full",
    ),
}


def check(pdf: bytes, schematron, document) -> etree._Element:
    """The PDF is a Factur-X PDF/A-3b whose XML passes the XSD and the schematron; returns the XML."""
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    failed = schematron(xml)
    assert failed == [], "\n".join(failed)

    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="?3', xmp) and re.search(r'pdfaid:conformance="?B', xmp)
    for name, value in (
        ("DocumentType", "INVOICE"),
        ("DocumentFileName", "factur-x.xml"),
        ("Version", "1.0"),
    ):
        assert f"<fx:{name}>{value}</fx:{name}>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    relationships = [spec.get_object()["/AFRelationship"] for spec in reader.trailer["/Root"]["/AF"]]
    assert relationships == ["/Alternative"]

    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    cur = document.currency
    for value in (document.total_amount, document.total_tax):
        shown = fmt.money(value, cur.precision, symbol=cur.symbol)
        assert " ".join(shown.split()) in text, (shown, text[-800:])
    return etree.fromstring(xml)


def amount(root, tag):
    return D(root.find(f".//{RAM}SpecifiedTradeSettlementHeaderMonetarySummation/{RAM}{tag}").text)


@pytest.mark.parametrize("case", list(CASES))
def test_invoice_is_a_valid_facturx(case, seller, buyer, boss, product, schematron):
    spec = dict(CASES[case])
    paid = spec.pop("paid", None)
    catalog = spec.pop("catalog", False)
    invoice = make(buyer, boss, product=product if catalog else None, **spec)
    if paid is not None:
        amount_paid = invoice.total_amount if paid == "full" else D(paid)
        services.payment_record(invoice=invoice, by=boss, amount=amount_paid, action="pay")
        invoice.refresh_from_db()
    assert invoice.pricing_error_code == 0

    root = check(document_pdf(invoice), schematron, invoice)

    assert root.find(f".//{RAM}TypeCode").text == "380"
    assert amount(root, "GrandTotalAmount") == invoice.total_amount
    assert amount(root, "TaxTotalAmount") == invoice.total_tax
    assert amount(root, "TotalPrepaidAmount") == invoice.amount_paid
    assert amount(root, "DuePayableAmount") == invoice.total_amount - invoice.amount_paid
    assert amount(root, "ChargeTotalAmount") == invoice.freight_amount
    assert (
        amount(root, "AllowanceTotalAmount")
        == invoice.header_percent_discount_amount + invoice.discount_amount
    )
    assert root.find(f".//{RAM}IBANID").text == "DE89370400440532013000"


def test_credit_note_is_a_valid_facturx_naming_its_invoice(seller, buyer, boss, product, schematron):
    spec = CASES["header % and amount, freight, catalog and write-in"]
    invoice = make(buyer, boss, product=product, lines=spec["lines"], header=spec["header"])
    note = services.credit_note_create(invoice=invoice, by=boss, reason="Returned goods")
    note.refresh_from_db()
    assert note.total_amount == invoice.total_amount

    root = check(document_pdf(note), schematron, note)

    assert root.find(f".//{RAM}TypeCode").text == "381"
    assert root.find(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID").text == invoice.number
    assert amount(root, "GrandTotalAmount") == note.total_amount


def test_partial_credit_note(seller, buyer, boss, schematron):
    invoice = make(buyer, boss, lines=CASES["two rates"]["lines"])
    first = invoice.lines.order_by("sequence").first()
    note = services.credit_note_create(
        invoice=invoice, by=boss, lines=[{"invoice_detail": first, "quantity": D("1")}]
    )
    note.refresh_from_db()
    root = check(document_pdf(note), schematron, note)
    assert amount(root, "GrandTotalAmount") == D("952.00")  # 800.00 + 19 %


def test_without_an_iban_the_payment_means_is_not_defined(seller, buyer, boss, schematron):
    organization_settings_save(by=boss, iban="", bic="", payment_instructions="Pay by cheque to Contoso.")
    invoice = make(buyer, boss, lines=CASES["zero rated, header amount only, paid in full"]["lines"])
    root = check(document_pdf(invoice), schematron, invoice)
    means = root.find(f".//{RAM}SpecifiedTradeSettlementPaymentMeans")
    assert means.find(f"{RAM}TypeCode").text == "1"
    assert means.find(f"{RAM}Information").text == "Pay by cheque to Contoso."
    assert means.find(f"{RAM}PayeePartyCreditorFinancialAccount") is None
