"""The invoice PDF: content, stored once and reused until the invoice changes, multi-page layout."""

import io
import re
from decimal import Decimal

import pypdf
import pytest

from salesapp.core.models import OrganizationSettings
from salesapp.documents import rendering, services
from salesapp.documents.models import DocumentPdf
from salesapp.sales import services as sales
from salesapp.sales.states import InvoiceStatus
from tests.documents.conftest import make_invoice


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def renders(monkeypatch):
    """Counts real WeasyPrint renders."""
    calls = []
    real = services.html_to_pdf

    def counting(html, **kwargs):
        calls.append(1)
        return real(html, **kwargs)

    monkeypatch.setattr(services, "html_to_pdf", counting)
    return calls


def test_pdf_shows_number_customer_dates_lines_and_stored_totals(invoice, account):
    text = "\n".join(pages_text(services.invoice_pdf(invoice)))

    assert invoice.invoice_number in text
    assert account.name in text
    assert "Total amount $255.00" in text
    assert "Installation" in text
    assert "Page 1 of 1" in text
    assert "Bill to".upper() in text.upper() and "Ship to".upper() in text.upper()
    assert "PAID" not in text and "CANCELED" not in text


def test_pdf_is_stored_once_and_reused(invoice, renders):
    first = services.invoice_pdf(invoice)
    second = services.invoice_pdf(invoice)

    assert first == second
    assert len(renders) == 1
    row = DocumentPdf.objects.get(invoice=invoice)
    assert row.content_version == invoice.content_version
    assert row.pages == 1 and row.size == len(first)


def test_pdf_is_rendered_again_after_the_invoice_changes(invoice, rep, renders):
    services.invoice_pdf(invoice)
    sales.line_add(
        document=invoice,
        by=rep,
        write_in_name="Extra support",
        quantity=Decimal("1"),
        price_per_unit=Decimal("45.00"),
    )
    invoice.refresh_from_db()

    text = "\n".join(pages_text(services.invoice_pdf(invoice)))

    assert len(renders) == 2
    assert "Extra support" in text and "$300.00" in text
    assert DocumentPdf.objects.get(invoice=invoice).content_version == invoice.content_version


def test_pdf_is_rendered_again_after_the_seller_changes(invoice, renders):
    services.invoice_pdf(invoice)
    org = OrganizationSettings.load()
    org.payment_instructions = "IBAN DE00 1234"
    org.save()

    text = "\n".join(pages_text(services.invoice_pdf(invoice)))

    assert len(renders) == 2
    assert "IBAN DE00 1234" in text


def test_paid_and_canceled_invoices_say_so(invoice, boss, account, rep):
    paid = sales.invoice_mark_paid(invoice=invoice, by=boss, status=InvoiceStatus.COMPLETE)
    assert "PAID" in "\n".join(pages_text(services.invoice_pdf(paid)))

    other = make_invoice(customer=account, by=rep, lines=1)
    canceled = sales.invoice_cancel(invoice=other, by=boss)
    assert "CANCELED" in "\n".join(pages_text(services.invoice_pdf(canceled)))


def test_open_unlocked_invoice_is_repriced_before_export(invoice, product, price_list, rep):
    """SPEC §6: the PDF of an unlocked active invoice shows the current price-list price."""
    from salesapp.catalog import services as catalog
    from salesapp.catalog.models import PriceListItem

    item = PriceListItem.objects.get(price_list=price_list, product=product)
    catalog.price_list_item_save(item=item, by=rep, amount=Decimal("120.00"))

    text = "\n".join(pages_text(services.invoice_pdf(invoice)))

    assert "$120.00" in text and "Total amount $295.00" in text


def test_hundred_lines_repeat_the_header_and_number_pages(account, rep, product):
    invoice = make_invoice(customer=account, by=rep, lines=100, product=product)

    pages = pages_text(services.invoice_pdf(invoice))

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert re.search(r"Product\s+Unit\s+Quantity\s+Price per unit", text), (
            f"no table header on page {number}"
        )
    every_line = "\n".join(pages)
    assert all(re.search(rf"(^|\n){n} Product", every_line) for n in (1, 50, 100))
    assert f"Total amount {rendering.money(invoice.total_amount, invoice.currency)}" in pages[-1]


def test_filename_is_the_invoice_number(invoice):
    assert services.pdf_filename(invoice) == f"{invoice.invoice_number}.pdf"


def test_seller_logo_is_read_from_media_and_nothing_else_is_fetched(invoice, settings, tmp_path, monkeypatch):
    from django.core.files.base import ContentFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format="PNG")
    org = OrganizationSettings.load()
    org.logo.save("contoso.png", ContentFile(buffer.getvalue()), save=True)
    fetchers = []
    real = rendering.LocalOnlyFetcher

    class Recording(real):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            fetchers.append(self)

    monkeypatch.setattr(
        services, "html_to_pdf", lambda html, **kw: rendering.html_to_pdf(html, fetcher=Recording(**kw))
    )

    pdf = services.invoice_pdf(invoice)

    (fetcher,) = fetchers
    assert fetcher.requested == [f"{rendering.ASSET_ORIGIN}/media/{org.logo.name}"] and fetcher.refused == []
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images) == 1


def test_print_html_takes_the_same_queries_for_2_and_40_lines(account, rep, django_assert_num_queries):
    small = make_invoice(customer=account, by=rep, lines=2)
    large = make_invoice(customer=account, by=rep, lines=40)
    OrganizationSettings.load()

    with django_assert_num_queries(3) as small_queries:
        rendering.invoice_html(small)
    with django_assert_num_queries(len(small_queries.captured_queries)):
        rendering.invoice_html(large)
