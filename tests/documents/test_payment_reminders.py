"""Payment reminders (SPEC §10): Send Payment Reminder by a manager, and the daily beat task — each
exactly once, through the Send by Email delivery machinery."""

import datetime
import email
import threading
import uuid
from decimal import Decimal
from email import policy

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from salesapp.core import formatting as fmt
from salesapp.core.exceptions import PermissionDeniedError, StateError
from salesapp.core.models import OrganizationSettings
from salesapp.documents import services, tasks
from salesapp.documents.models import Delivery, DeliveryPurpose, DeliveryState
from salesapp.sales import services as sales
from salesapp.sales.models import Invoice, PaymentTerms, TimelineEvent, TimelineKind
from salesapp.sales.states import InvoiceStatus


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def make_overdue(invoice: Invoice, by, *, days: int) -> Invoice:
    """Invoice dated 30 + `days` days ago on Net 30 terms: due `days` days ago."""
    sales.document_update(invoice, by=by, invoice_date=days_ago(30 + days), payment_terms=PaymentTerms.NET_30)
    invoice.refresh_from_db()
    assert invoice.due_date == days_ago(days)
    return invoice


@pytest.fixture
def overdue(invoice, rep) -> Invoice:
    return make_overdue(invoice, rep, days=10)


@pytest.fixture
def reminders_on(db):
    org = OrganizationSettings.load()
    org.reminders_enabled = True
    org.reminder_days_after_due = 7
    org.reminder_interval_days = 7
    org.reminder_subject_template = "Reminder: {number} ({balance} due since {due})"
    org.save()
    return org


def reminders(invoice) -> list[Delivery]:
    return list(Delivery.objects.filter(invoice=invoice, purpose=DeliveryPurpose.REMINDER))


def reminder_events(invoice) -> int:
    return TimelineEvent.objects.filter(document_id=invoice.pk, kind=TimelineKind.REMINDER_QUEUED).count()


# --- Send Payment Reminder (by hand) -------------------------------------------------------------------


def test_manager_sends_a_reminder_with_the_templates_and_the_invoice_pdf(
    overdue, boss, reminders_on, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.reminder_send(invoice=overdue, by=boss, token=uuid.uuid4())

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.is_reminder and delivery.reminder_period is None
    assert (
        delivery.subject
        == f"Reminder: {overdue.invoice_number} ($255.00 due since {fmt.day(overdue.due_date)})"
    )
    assert "{" not in delivery.body and "$255.00" in delivery.body
    (message,) = mailoutbox
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert parsed["Message-ID"].strip() == delivery.message_id and "invoice-reminder" in delivery.message_id
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == f"{overdue.invoice_number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert reminder_events(overdue) == 1
    overdue.refresh_from_db()
    assert overdue.first_sent_on == delivery.sent_at  # the reminder carried the invoice to the customer


def test_the_same_token_twice_queues_one_reminder(overdue, boss):
    token = uuid.uuid4()
    first = services.reminder_send(invoice=overdue, by=boss, token=token)
    second = services.reminder_send(invoice=overdue, by=boss, token=token)

    assert first.pk == second.pk and first.queued_now and not second.queued_now
    assert len(reminders(overdue)) == 1 and reminder_events(overdue) == 1


def test_reminder_for_an_invoice_not_overdue_is_refused_naming_why(invoice, boss):
    with pytest.raises(StateError) as exc:
        services.reminder_send(invoice=invoice, by=boss, token=uuid.uuid4())

    assert exc.value.message == (
        "Send Payment Reminder isn't possible: Only an overdue invoice with a balance due gets a payment reminder."
    )
    assert reminders(invoice) == [] and reminder_events(invoice) == 0


def test_reminder_for_a_paid_invoice_is_refused(overdue, boss):
    sales.invoice_mark_paid(invoice=overdue, by=boss, status=InvoiceStatus.COMPLETE)
    overdue.refresh_from_db()

    with pytest.raises(StateError):
        services.reminder_send(invoice=overdue, by=boss)
    assert reminders(overdue) == []


def test_a_salesperson_may_not_send_a_reminder(overdue, rep):
    with pytest.raises(PermissionDeniedError):
        services.reminder_send(invoice=overdue, by=rep, token=uuid.uuid4())
    assert reminders(overdue) == []


def test_screen_button_for_a_manager_only_and_its_post(
    overdue, boss, rep, django_capture_on_commit_callbacks
):
    url = f"/documents/invoices/{overdue.pk}/remind/"
    manager, salesperson = Client(), Client()
    manager.force_login(boss)
    salesperson.force_login(rep)

    assert (
        "send-payment-reminder"
        in manager.get(f"/documents/invoices/{overdue.pk}/deliveries/").content.decode()
    )
    assert (
        "send-payment-reminder"
        not in salesperson.get(f"/documents/invoices/{overdue.pk}/deliveries/").content.decode()
    )

    token = str(uuid.uuid4())
    assert salesperson.post(url, {"form_token": token}).status_code == 403
    assert reminders(overdue) == []

    with django_capture_on_commit_callbacks(execute=False):
        first = manager.post(url, {"form_token": token}, follow=True)
        second = manager.post(url, {"form_token": token}, follow=True)
    assert "Payment reminder to" in first.content.decode() and "queued" in first.content.decode()
    assert "already queued; it is not sent twice" in second.content.decode()
    assert len(reminders(overdue)) == 1
    assert manager.get(url).status_code == 405


def test_screen_refusal_names_why(invoice, boss):
    client = Client()
    client.force_login(boss)
    page = client.get(f"/documents/invoices/{invoice.pk}/deliveries/").content.decode()
    assert "send-payment-reminder" not in page  # not overdue: no button

    response = client.post(
        f"/documents/invoices/{invoice.pk}/remind/", {"form_token": str(uuid.uuid4())}, follow=True
    )

    assert "Only an overdue invoice with a balance due gets a payment reminder." in response.content.decode()
    assert reminders(invoice) == []


# --- the daily beat task -----------------------------------------------------------------------------------


def test_beat_task_firing_twice_queues_one_reminder(
    overdue, reminders_on, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.apply().get() == 1
        assert tasks.send_due_reminders.apply().get() == 0

    (delivery,) = reminders(overdue)
    assert delivery.state == DeliveryState.SENT and delivery.reminder_period == 0
    assert len(mailoutbox) == 1 and reminder_events(overdue) == 1


def test_beat_task_does_nothing_when_reminders_are_off(overdue, db):
    assert tasks.send_due_reminders.apply().get() == 0
    assert reminders(overdue) == []


def test_only_invoices_overdue_long_enough_with_a_balance(invoice, rep, boss, account, reminders_on):
    from tests.documents.conftest import make_invoice

    recent = make_overdue(invoice, rep, days=3)  # overdue, but fewer than 7 days
    paid = make_overdue(make_invoice(customer=account, by=rep, lines=1), rep, days=20)
    sales.invoice_mark_paid(invoice=paid, by=boss, status=InvoiceStatus.COMPLETE)
    partly = make_overdue(make_invoice(customer=account, by=rep, lines=2), rep, days=20)
    sales.invoice_mark_paid(invoice=partly, by=boss, status=InvoiceStatus.PARTIAL, amount=Decimal("5"))

    queued = services.reminders_send_due()

    assert [d.invoice_id for d in queued] == [partly.pk]
    assert reminders(recent) == [] and reminders(paid) == []


def test_at_most_one_reminder_per_interval_counting_manual_ones(overdue, boss, reminders_on):
    services.reminder_send(invoice=overdue, by=boss)  # by hand today

    assert services.reminders_send_due() == []  # reminded today: not again
    later = timezone.localdate() + datetime.timedelta(days=6)
    assert services.reminders_send_due(today=later) == []  # 6 days later: still within the interval
    week = timezone.localdate() + datetime.timedelta(days=7)
    (queued,) = services.reminders_send_due(today=week)
    assert queued.reminder_period == 1  # (17 days overdue − 7) ÷ 7
    assert services.reminders_send_due(today=week) == []
    assert len(reminders(overdue)) == 2


def test_one_reminder_per_period_is_a_database_rule(overdue, reminders_on):
    from django.db import IntegrityError, transaction

    services.reminders_send_due()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            invoice=overdue,
            purpose=DeliveryPurpose.REMINDER,
            reminder_period=0,
            to="a@b.example",
            subject="S",
        )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_beat_runs_queue_one_reminder(opportunity, rep):
    invoice = sales.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    make_overdue(invoice, rep, days=10)
    OrganizationSettings.objects.filter(pk=OrganizationSettings.load().pk).update(reminders_enabled=True)
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(len(services.reminders_send_due()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(reminders(invoice)) == 1 and reminder_events(invoice) == 1
