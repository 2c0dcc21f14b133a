"""Credit note PDF and Send by Email; a partly paid invoice's PDF; first_sent_on (SPEC §8, §10)."""

import email
import io
import uuid
from decimal import Decimal
from email import policy

import pypdf
import pytest
from django.test import Client

from salesapp.documents import services
from salesapp.documents.models import Delivery, DeliveryState, DocumentPdf
from salesapp.sales import services as sales
from salesapp.sales.models import TimelineEvent, TimelineKind
from salesapp.sales.states import InvoiceStatus

HX = {"HTTP_HX_REQUEST": "true"}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def credit_note(invoice, boss):
    """A credit note for the write-in line of the conftest invoice (50.00 + 5.00 tax), with a reason."""
    line = next(x for x in invoice.lines.all() if x.write_in_name)
    return sales.credit_note_create(
        invoice=invoice,
        by=boss,
        lines=[{"invoice_detail": line.pk, "quantity": Decimal("1")}],
        reason="Installation <b>not</b> done & refunded",
    )


def test_credit_note_pdf_shows_title_number_invoice_lines_totals_and_reason(credit_note, invoice, account):
    text = text_of(services.document_pdf(credit_note))

    assert f"Credit note {credit_note.credit_note_number}" in text
    assert credit_note.credit_note_number.startswith("CN-")
    assert f"Credits invoice {invoice.invoice_number}" in text
    assert account.name in text
    assert "Installation" in text  # the credited line
    assert "Total credited $55.00" in text
    assert "Installation <b>not</b> done & refunded" in text  # typed text, escaped, shown as typed
    assert "Page 1 of 1" in text
    assert "PAID" not in text and "Balance due" not in text


def test_credit_note_pdf_html_is_escaped(credit_note):
    from salesapp.documents.rendering import credit_note_html

    html = credit_note_html(credit_note).html
    assert "&lt;b&gt;not&lt;/b&gt; done &amp; refunded" in html and "<b>not</b>" not in html


def test_credit_note_pdf_is_stored_once_as_its_own_row(credit_note, invoice):
    first = services.document_pdf(credit_note)
    services.document_pdf(invoice)

    assert services.document_pdf(credit_note) == first
    row = DocumentPdf.objects.get(credit_note=credit_note)
    assert row.invoice_id is None and row.size == len(first)
    assert DocumentPdf.objects.count() == 2
    assert services.pdf_filename(credit_note) == f"{credit_note.credit_note_number}.pdf"


def test_credit_note_send_by_email_attaches_its_pdf(
    credit_note, rep, mailoutbox, django_capture_on_commit_callbacks
):
    defaults = services.compose_defaults(credit_note)
    assert defaults["subject"] == f"Credit note {credit_note.credit_note_number} from Contoso Ltd"
    assert credit_note.invoice.invoice_number in defaults["body"]

    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.delivery_queue(
            document=credit_note, by=rep, to="ap@customer.example", subject="CN"
        )

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.credit_note_id == credit_note.pk
    assert delivery.invoice_id is None
    parsed = email.message_from_bytes(mailoutbox[0].message().as_bytes(), policy=policy.default)
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == f"{credit_note.credit_note_number}.pdf"
    assert "Credit note" in text_of(attachment.get_content())
    assert TimelineEvent.objects.filter(document_id=credit_note.pk, kind=TimelineKind.EMAILED).count() == 1
    # a credit note's email is not the invoice's: the invoice was never sent
    credit_note.invoice.refresh_from_db()
    assert credit_note.invoice.first_sent_on is None


def test_credit_note_views_send_download_and_print(credit_note, rep, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(rep)
    base = f"/documents/creditnotes/{credit_note.pk}"

    dialog = client.get(f"{base}/email/", **HX).content.decode()
    assert f"Send credit note {credit_note.credit_note_number} by email" in dialog
    with django_capture_on_commit_callbacks(execute=False):
        posted = client.post(
            f"{base}/email/",
            {"to": "ap@customer.example", "subject": "CN", "form_token": str(uuid.uuid4())},
            **HX,
        )
    assert posted.status_code == 200 and posted["HX-Trigger"] == "deliveryQueued"
    assert Delivery.objects.get().credit_note_id == credit_note.pk

    listing = client.get(f"{base}/deliveries/", **HX).content.decode()
    assert "ap@customer.example" in listing and 'data-state="queued"' in listing

    pdf = client.get(f"{base}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'filename="{credit_note.credit_note_number}.pdf"' in pdf["Content-Disposition"]
    printed = client.get(f"{base}/print/")
    assert printed.status_code == 200 and b"Credit note" in printed.content


def test_credit_note_views_need_a_sales_role(credit_note, db):
    from tests import factories

    client = Client()
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(f"/documents/creditnotes/{credit_note.pk}/pdf/").status_code == 403


def test_partly_paid_invoice_pdf_shows_paid_and_balance_due_and_no_paid_stamp(invoice, boss):
    paid = sales.invoice_mark_paid(
        invoice=invoice, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal("100.00")
    )

    text = text_of(services.document_pdf(paid))

    assert "Total amount $255.00" in text
    assert "Amount paid -$100.00" in text
    assert "Balance due $155.00" in text
    assert "PAID" not in text and "Amount credited" not in text


def test_credited_and_partly_paid_invoice_shows_amount_credited(invoice, boss, credit_note):
    invoice.refresh_from_db()
    paid = sales.invoice_mark_paid(
        invoice=invoice, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal("100")
    )

    text = text_of(services.document_pdf(paid))

    assert "Amount credited -$55.00" in text and "Amount paid -$100.00" in text
    assert "Balance due $100.00" in text and "PAID" not in text


def test_paid_stamp_once_the_last_payment_completes_it(invoice, boss):
    sales.invoice_mark_paid(invoice=invoice, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal("100"))
    invoice.refresh_from_db()
    sales.payment_record(invoice=invoice, by=boss, amount=Decimal("155.00"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.COMPLETE

    text = text_of(services.document_pdf(invoice))

    assert "PAID" in text and "Balance due $0.00" in text


def test_first_sent_on_is_set_when_sent_and_never_overwritten(
    invoice, rep, boss, mailoutbox, django_capture_on_commit_callbacks
):
    queue = {"to": "ap@customer.example", "subject": "Invoice"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delivery_queue(invoice=invoice, by=rep, **queue)
    invoice.refresh_from_db()
    assert invoice.first_sent_on is None  # queued is not sent
    for callback in callbacks:
        callback()

    invoice.refresh_from_db()
    first = invoice.first_sent_on
    delivery = Delivery.objects.get()
    assert first is not None and first == delivery.sent_at

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_queue(invoice=invoice, by=rep, **queue)
    invoice.refresh_from_db()
    assert len(mailoutbox) == 2 and invoice.first_sent_on == first
    assert invoice.can("cancel") is False and "was sent to the customer" in invoice.refusal("cancel")


def test_a_failed_send_does_not_set_first_sent_on(
    invoice, rep, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPResponseException(550, b"no such user")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_queue(invoice=invoice, by=rep, to="ap@customer.example", subject="Invoice")

    invoice.refresh_from_db()
    assert Delivery.objects.get().state == DeliveryState.FAILED and invoice.first_sent_on is None


def test_credit_note_full_pages_show_its_buttons_and_no_reminder(credit_note, boss):
    client = Client()
    client.force_login(boss)

    page = client.get(f"/documents/creditnotes/{credit_note.pk}/deliveries/").content.decode()

    assert f"Credit note {credit_note.credit_note_number}" in page
    assert f'href="/documents/creditnotes/{credit_note.pk}/pdf/"' in page
    assert f"/documents/creditnotes/{credit_note.pk}/email/" in page
    assert "send-payment-reminder" not in page
    assert client.get(f"/documents/creditnotes/{credit_note.pk}/email/").status_code == 200
