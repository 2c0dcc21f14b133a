"""Bulk Send by Email from the invoice and credit note lists: one delivery each through delivery_queue,
grouped in a batch, with the skipped ones and why; the confirm page, the batch page, hostile input."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from salesapp.catalog import services as catalog_services
from salesapp.core.exceptions import StateError
from salesapp.documents import batches, services
from salesapp.documents.kinds import CREDIT_NOTE, INVOICE
from salesapp.documents.models import Delivery, DeliveryBatch, DeliveryState
from salesapp.sales import services as sales_services
from salesapp.sales.models import Invoice, TimelineEvent
from tests import factories
from tests.documents.conftest import make_invoice

SUBJECT = "Invoice {number} for {customer}"
BODY = "Total {total}."


@pytest.fixture
def invoices(opportunity, rep) -> list[Invoice]:
    result = []
    for _ in range(3):
        invoice = sales_services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
        invoice.refresh_from_db()
        result.append(invoice)
    return result


@pytest.fixture
def no_email_invoice(price_list, rep) -> Invoice:
    customer = factories.AccountFactory(default_price_list=price_list, email="")
    return make_invoice(customer=customer, by=rep, lines=1)


@pytest.fixture
def client(rep) -> Client:
    client = Client()
    client.force_login(rep)
    return client


def test_one_delivery_each_with_the_templates_filled_in_and_the_skips_with_reasons(
    invoices, no_email_invoice, rep, account, mailoutbox, django_capture_on_commit_callbacks
):
    missing = uuid.uuid4()
    ids = [i.pk for i in invoices] + [no_email_invoice.pk, missing]

    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.delivery_queue_many(kind=INVOICE, ids=ids, by=rep, subject=SUBJECT, body=BODY)

    deliveries = list(batch.deliveries.order_by("created_on"))
    assert [d.invoice_id for d in deliveries] == [i.pk for i in invoices]
    assert [d.subject for d in deliveries] == [
        f"Invoice {i.invoice_number} for {account.name}" for i in invoices
    ]
    assert all(d.to == account.email and d.body == "Total $255.00." for d in deliveries)
    assert {d.state for d in Delivery.objects.all()} == {DeliveryState.SENT} and len(mailoutbox) == 3
    assert batch.requested == 5
    assert batch.skipped == [
        {
            "id": str(no_email_invoice.pk),
            "number": no_email_invoice.invoice_number,
            "reason": batches.NO_ADDRESS,
        },
        {"id": str(missing), "number": "", "reason": batches.not_found(INVOICE)},
    ]
    progress = batches.batch_progress(batch)
    assert (progress.sent, progress.failed, progress.skipped, progress.finished) == (3, 0, 2, True)
    assert progress.percent == 100


def test_what_delivery_queue_refuses_is_skipped_with_its_own_words(
    invoices, rep, monkeypatch, django_capture_on_commit_callbacks
):
    """No lifecycle or role check of its own: whatever delivery_queue refuses is a skip, its message
    the reason; the other documents are queued."""
    real = services.delivery_queue
    refused = invoices[1]

    def lifecycle_refuses(*, document, **kwargs):
        if document.pk == refused.pk:
            raise StateError("Send by Email isn't possible: the invoice is canceled.")
        return real(document=document, **kwargs)

    monkeypatch.setattr(services, "delivery_queue", lifecycle_refuses)
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.delivery_queue_many(
            kind=INVOICE, ids=[i.pk for i in invoices], by=rep, subject=SUBJECT, body=BODY
        )

    assert batch.deliveries.count() == 2
    assert batch.skipped == [
        {
            "id": str(refused.pk),
            "number": refused.invoice_number,
            "reason": "Send by Email isn't possible: the invoice is canceled.",
        }
    ]
    assert not Delivery.objects.filter(invoice=refused).exists()


def test_a_pricing_error_is_skipped_naming_the_line(invoices, product, rep, boss):
    broken = invoices[0]
    # The catalog changes under the open, unlocked invoices: their product has no price any more.
    catalog_services.price_list_item_delete(item=product.price_list_items.get(), by=boss)

    plan = batches.delivery_preview_many(kind=INVOICE, ids=[broken.pk], by=rep, subject=SUBJECT, body=BODY)

    assert plan.ready == []
    (skip,) = plan.skipped
    assert (
        skip.number == broken.invoice_number
        and "has a pricing error" in skip.reason
        and "line 1" in skip.reason
    )


def test_the_preview_queues_nothing_and_gives_the_same_answer(
    invoices, no_email_invoice, rep, django_capture_on_commit_callbacks
):
    ids = [i.pk for i in invoices] + [no_email_invoice.pk]
    events = TimelineEvent.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        plan = batches.delivery_preview_many(kind=INVOICE, ids=ids, by=rep, subject=SUBJECT, body=BODY)

    assert [d.pk for d in plan.ready] == [i.pk for i in invoices]
    assert [s.reason for s in plan.skipped] == [batches.NO_ADDRESS]
    assert Delivery.objects.count() == 0 and DeliveryBatch.objects.count() == 0
    assert TimelineEvent.objects.count() == events and callbacks == []


def test_credit_notes_go_the_same_way(invoices, rep, boss, django_capture_on_commit_callbacks, mailoutbox):
    note = sales_services.credit_note_create(invoice=invoices[0], by=boss, reason="Returned")
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.delivery_queue_many(
            kind=CREDIT_NOTE,
            ids=[note.pk, invoices[1].pk],
            by=rep,
            subject="Credit {number} of {invoice}",
            body="",
        )
    (delivery,) = batch.deliveries.all()
    assert delivery.credit_note_id == note.pk and delivery.state == DeliveryState.SENT
    assert delivery.subject == f"Credit {note.credit_note_number} of {invoices[0].invoice_number}"
    assert batch.skipped[0]["reason"] == batches.not_found(
        CREDIT_NOTE
    )  # an invoice id on the credit note path


# --- the screens ---------------------------------------------------------------------------------------


def confirm_page(client, ids, url="/documents/invoices/email/"):
    return client.post(url, {"ids": [str(i) for i in ids], "next": "/invoices/"})


def token_of(html: str) -> str:
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', html).group(1)


def test_the_list_offers_checkboxes_and_send_by_email(client, invoices):
    html = client.get("/invoices/?view=all").content.decode()

    assert html.count('data-testid="row-select"') == 3 and 'data-testid="select-all"' in html
    assert 'formaction="/documents/invoices/email/"' in html
    for invoice in invoices:
        assert f'value="{invoice.pk}" form="bulk-form"' in html
    quotes = client.get("/quotes/").content.decode()
    assert 'data-testid="bulk-assign"' in quotes and 'data-testid="bulk-email"' not in quotes  # Assign only
    notes = client.get("/creditnotes/").content.decode()
    assert 'formaction="/documents/creditnotes/email/"' in notes


def test_confirm_then_send_queues_a_batch_and_shows_its_summary(
    client, invoices, no_email_invoice, account, mailoutbox, django_capture_on_commit_callbacks
):
    ids = [i.pk for i in invoices] + [no_email_invoice.pk]
    response = confirm_page(client, ids)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="will-send">3<', html) and re.search(r'data-testid="will-skip">1<', html)
    assert batches.NO_ADDRESS in html and no_email_invoice.invoice_number in html
    assert Delivery.objects.count() == 0  # the confirm page queues nothing

    values = {
        "ids": [str(i) for i in ids],
        "confirm": "1",
        "subject": SUBJECT,
        "body": BODY,
        "form_token": token_of(html),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/documents/invoices/email/", values)
    batch = DeliveryBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/batches/{batch.pk}/"
    assert len(mailoutbox) == 3

    again = client.post("/documents/invoices/email/", values)  # a double click or a replay
    assert again.status_code == 302 and DeliveryBatch.objects.count() == 1 and Delivery.objects.count() == 3

    page = client.get(f"/documents/batches/{batch.pk}/").content.decode()
    assert "3 sent" in page and "0 failed" in page and "1 skipped" in page
    assert batches.NO_ADDRESS in page and f"/invoices/{no_email_invoice.pk}/" in page
    for invoice in invoices:
        assert f"/invoices/{invoice.pk}/" in page
    assert "hx-trigger" not in page  # all settled: no more polling


def test_the_batch_page_polls_while_emails_are_in_flight(client, invoices, rep):
    batch = batches.delivery_queue_many(
        kind=INVOICE, ids=[i.pk for i in invoices], by=rep, subject="S", body=""
    )
    Delivery.objects.filter(pk=batch.deliveries.first().pk).update(
        state=DeliveryState.SENT, sent_at="2026-01-01T00:00Z"
    )

    partial = client.get(f"/documents/batches/{batch.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert 'data-done="1"' in partial and "1 of 3 done" in partial and "2 in progress" in partial


@pytest.mark.parametrize(
    "ids, message",
    [
        ([], "Select at least one invoice first."),
        (["not-a-uuid", "' OR 1=1 --", "\x00"], "Select at least one invoice first."),
    ],
)
def test_an_empty_or_junk_selection_queues_nothing_and_says_so(client, invoices, ids, message):
    response = client.post("/documents/invoices/email/", {"ids": ids, "next": "/invoices/"}, follow=True)

    assert response.status_code == 200 and message in response.content.decode()
    assert DeliveryBatch.objects.count() == 0 and Delivery.objects.count() == 0


def test_too_many_ids_are_refused(client, invoices):
    ids = [str(uuid.uuid4()) for _ in range(501)]
    response = client.post("/documents/invoices/email/", {"ids": ids}, follow=True)
    assert "Select at most 500 invoices at once." in response.content.decode()


def test_ids_of_other_records_are_skipped_as_not_found(client, invoices, opportunity, rep):
    quote = sales_services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    response = confirm_page(client, [quote.pk, invoices[0].pk])
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="will-send">1<', html) and batches.not_found(INVOICE) in html


def test_get_of_the_command_url_is_refused(client, invoices):
    assert client.get("/documents/invoices/email/", {"ids": str(invoices[0].pk)}).status_code == 405
    assert client.get("/documents/creditnotes/email/").status_code == 405
    assert DeliveryBatch.objects.count() == 0


def test_a_user_without_a_sales_role_is_refused(invoices, rep):
    nobody = User.objects.create_user("nobody", password="x")
    client = Client()
    client.force_login(nobody)
    response = client.post("/documents/invoices/email/", {"ids": [str(invoices[0].pk)], "confirm": "1"})
    assert response.status_code == 403
    batch = batches.delivery_queue_many(kind=INVOICE, ids=[invoices[0].pk], by=rep, subject="S", body="")
    assert client.get(f"/documents/batches/{batch.pk}/").status_code == 403


@pytest.mark.parametrize(
    "subject, field_message",
    [("", "This field is required."), ("Line one\nline two", "Subject: a subject is one line.")],
)
def test_a_bad_subject_names_the_field_and_queues_nothing(client, invoices, subject, field_message):
    html = confirm_page(client, [invoices[0].pk]).content.decode()
    response = client.post(
        "/documents/invoices/email/",
        {
            "ids": [str(invoices[0].pk)],
            "confirm": "1",
            "subject": subject,
            "body": "",
            "form_token": token_of(html),
        },
    )
    assert response.status_code == 400 and field_message in response.content.decode()
    assert DeliveryBatch.objects.count() == 0 and Delivery.objects.count() == 0


def test_an_unknown_batch_is_404(client, invoices):
    assert client.get(f"/documents/batches/{uuid.uuid4()}/").status_code == 404


def test_amounts_in_the_subject_are_formatted_by_the_formatting_module(invoices, rep, account):
    batch = batches.delivery_queue_many(
        kind=INVOICE, ids=[invoices[0].pk], by=rep, subject="{total}", body=""
    )
    assert batch.deliveries.get().subject == "$255.00"
    assert invoices[0].total_amount == Decimal("255.00")


def test_the_credit_note_confirm_page_starts_from_the_credit_note_templates(client, invoices, boss):
    note = sales_services.credit_note_create(invoice=invoices[0], by=boss, reason="Returned")
    response = confirm_page(client, [note.pk], url="/documents/creditnotes/email/")

    html = response.content.decode()
    assert response.status_code == 200
    subject, _ = services.email_templates(CREDIT_NOTE.kind)
    assert f'value="{subject}"' in html and re.search(r'data-testid="will-send">1<', html)
    invoice_subject, _ = services.email_templates(INVOICE.kind)
    assert subject != invoice_subject
