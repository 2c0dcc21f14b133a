"""Deliveries as a state machine (queued → sending → sent | failed), with tasks run in-process.

The real broker / worker / SMTP behaviour is in test_email_worker_integration.py; here the
task runs eagerly and mail goes to the locmem outbox.
"""

import email
import io
import smtplib
import uuid
from email import policy

import pytest
from django.core.mail.backends.locmem import EmailBackend

from salesapp.core.exceptions import StateError, ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.documents import services, tasks
from salesapp.documents.models import Delivery, DeliveryState
from salesapp.sales.models import TimelineEvent, TimelineKind


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.EMAIL_DELIVERY_MAX_RETRIES = 2
    settings.EMAIL_DELIVERY_RETRY_BACKOFF = 0
    settings.EMAIL_DELIVERY_RETRY_BACKOFF_MAX = 0


@pytest.fixture
def smtp_errors(monkeypatch):
    """A list of exceptions the mail backend raises, one per send, before it starts delivering."""
    errors: list[Exception] = []
    real = EmailBackend.send_messages

    def scripted(self, messages):
        if errors:
            raise errors.pop(0)
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", scripted)
    return errors


def queue(invoice, rep, django_capture_on_commit_callbacks, **overrides):
    values = {"to": "billing@customer.example", "cc": "", "subject": "Invoice", "body": "Hello"} | overrides
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.delivery_queue(invoice=invoice, by=rep, **values)
    delivery.refresh_from_db()
    return delivery


def events(invoice, kind):
    return TimelineEvent.objects.filter(document_type="invoice", document_id=invoice.pk, kind=kind).count()


def test_send_by_email_sends_one_message_with_the_pdf(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = queue(invoice, rep, django_capture_on_commit_callbacks, cc="boss@customer.example")

    assert delivery.state == DeliveryState.SENT and delivery.sent_at and delivery.attempts == 1
    assert len(mailoutbox) == 1
    parsed = email.message_from_bytes(mailoutbox[0].message().as_bytes(), policy=policy.default)
    assert parsed["Message-ID"].strip() == delivery.message_id == services.message_id_for(delivery)
    assert str(delivery.pk) in delivery.message_id
    assert parsed["To"] == "billing@customer.example" and parsed["Cc"] == "boss@customer.example"
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{invoice.invoice_number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert events(invoice, TimelineKind.EMAIL_QUEUED) == 1
    assert events(invoice, TimelineKind.EMAILED) == 1


def test_a_sent_delivery_is_never_sent_again(invoice, rep, mailoutbox, django_capture_on_commit_callbacks):
    delivery = queue(invoice, rep, django_capture_on_commit_callbacks)

    tasks.send_invoice_email.apply(args=[str(delivery.pk)])  # a redelivered or duplicated task
    tasks.send_invoice_email.apply(args=[str(delivery.pk)])

    assert len(mailoutbox) == 1
    with pytest.raises(StateError, match="Only a failed email"):
        services.delivery_retry(delivery=delivery, by=rep)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1


def test_a_task_redelivered_after_its_worker_died_takes_over_and_sends_once(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks, smtp_errors
):
    smtp_errors.append(smtplib.SMTPServerDisconnected("gone"))
    smtp_errors.append(smtplib.SMTPServerDisconnected("gone"))
    smtp_errors.append(smtplib.SMTPServerDisconnected("gone"))  # all attempts of the first run fail
    delivery = queue(invoice, rep, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.FAILED
    # A row left `sending` by a dead worker (its claim committed, nothing after it):
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING, attempt_token=uuid.uuid4())

    tasks.send_invoice_email.apply(args=[str(delivery.pk)])

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(mailoutbox) == 1


def test_an_attempt_whose_claim_was_taken_over_does_not_send(
    invoice, rep, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    delivery = services.delivery_queue(invoice=invoice, by=rep, to="a@customer.example", subject="S")
    real_claim = services.delivery_claim

    def claim_then_lose_it(delivery_id):
        claimed = real_claim(delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(
            attempt_token=uuid.uuid4()
        )  # another attempt took over
        return claimed

    monkeypatch.setattr(services, "delivery_claim", claim_then_lose_it)

    outcome = services.delivery_attempt(delivery.pk, final_attempt=False)

    assert outcome.result == "done" and mailoutbox == []


def test_transient_errors_retry_then_send(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks, smtp_errors
):
    smtp_errors.append(smtplib.SMTPDataError(451, b"try later"))
    smtp_errors.append(ConnectionRefusedError(111, "Connection refused"))

    delivery = queue(invoice, rep, django_capture_on_commit_callbacks)

    assert delivery.state == DeliveryState.SENT and delivery.attempts == 3
    assert len(mailoutbox) == 1 and delivery.last_error == ""


def test_after_the_last_retry_the_delivery_fails_and_retry_by_hand_sends_it(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks, smtp_errors
):
    smtp_errors.extend(smtplib.SMTPDataError(451, b"4.3.0 try later") for _ in range(3))

    delivery = queue(invoice, rep, django_capture_on_commit_callbacks)

    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    assert "451" in delivery.last_error and "try later" in delivery.last_error
    assert mailoutbox == [] and events(invoice, TimelineKind.EMAIL_FAILED) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(delivery=delivery, by=rep)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(mailoutbox) == 1 and delivery.attempts == 4
    assert events(invoice, TimelineKind.EMAILED) == 1


def test_a_permanent_refusal_fails_at_once(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks, smtp_errors
):
    smtp_errors.append(
        smtplib.SMTPRecipientsRefused({"billing@customer.example": (550, b"5.1.1 no such user")})
    )

    delivery = queue(invoice, rep, django_capture_on_commit_callbacks)

    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "550" in delivery.last_error and "no such user" in delivery.last_error
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (smtplib.SMTPDataError(451, b"later"), True),
        (smtplib.SMTPSenderRefused(452, b"full", "x@y"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"unknown")}), False),
        (smtplib.SMTPServerDisconnected("closed"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (ValueError("bug"), False),
    ],
)
def test_classify_transient_and_permanent_errors(exc, transient):
    assert services.classify(exc)[0] is transient


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("to", "", "To: enter at least one"),
        ("to", "not-an-address", "To: “not-an-address” is not a valid"),
        ("to", "ok@customer.example, bad@", "is not a valid"),
        ("cc", "x@y@z", "Cc: “x@y@z” is not a valid"),
        ("subject", "  ", "Subject: enter a subject"),
        ("subject", "Invoice\r\nBcc: victim@example.com", "Subject: a subject is one line"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    invoice, rep, field, value, message, django_capture_on_commit_callbacks
):
    values = {"to": "billing@customer.example", "cc": "", "subject": "Invoice", "body": ""} | {field: value}

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationFailed, match=message) as err,
    ):
        services.delivery_queue(invoice=invoice, by=rep, **values)

    assert err.value.field == field
    assert not Delivery.objects.exists() and events(invoice, TimelineKind.EMAIL_QUEUED) == 0


def test_several_recipients_separated_by_commas_or_semicolons(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = queue(
        invoice, rep, django_capture_on_commit_callbacks, to="a@customer.example; b@customer.example,"
    )

    assert delivery.to == "a@customer.example, b@customer.example"
    assert mailoutbox[0].to == ["a@customer.example", "b@customer.example"]


def test_dialog_defaults_follow_spec_8(invoice, account):
    org = OrganizationSettings.load()

    defaults = services.compose_defaults(invoice)

    assert defaults["to"] == account.email
    assert defaults["subject"] == f"Invoice {invoice.invoice_number} from {org.seller_name}"
    assert invoice.invoice_number in defaults["body"] and "$255.00" in defaults["body"]


def test_dialog_defaults_to_the_primary_contact_when_the_account_has_no_email(invoice, account):
    from tests.factories import ContactFactory

    contact = ContactFactory(account=account, email="jo@customer.example")
    account.email = ""
    account.primary_contact = contact
    account.save()
    invoice.refresh_from_db()

    assert services.compose_defaults(invoice)["to"] == "jo@customer.example"


def test_template_placeholders_cannot_reach_attributes():
    assert (
        services.fill("{number.__class__} {number} {unknown}", {"number": "INV-1"})
        == "{number.__class__} INV-1 {unknown}"
    )


def test_without_a_broker_tasks_run_in_process_with_late_acks_configured():
    from salesapp.celery import app

    assert app.conf.task_always_eager is True  # make run: no broker configured
    assert app.conf.task_acks_late is True and app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_reject_on_worker_lost is True


def _requeue_by_command() -> None:
    from django.core.management import call_command

    call_command("documents_requeue", stdout=io.StringIO())


def _requeue_by_beat() -> None:
    """What `celery beat` does: run the scheduled task by its registered name (a worker in production)."""
    from django.conf import settings

    from salesapp.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-deliveries"]
    assert entry["schedule"] <= 15 * 60
    app.tasks[entry["task"]].apply()


@pytest.mark.parametrize("requeue", [_requeue_by_command, _requeue_by_beat], ids=["command", "beat"])
def test_deliveries_whose_task_went_missing_are_enqueued_again(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks, requeue
):
    import datetime

    from django.utils import timezone

    long_ago = timezone.now() - datetime.timedelta(hours=1)
    lost = Delivery.objects.create(invoice=invoice, to="a@customer.example", subject="lost in the broker")
    Delivery.objects.create(
        invoice=invoice,
        to="b@customer.example",
        subject="worker hit the time limit",
        state=DeliveryState.SENDING,
        attempt_token=uuid.uuid4(),
        attempts=1,
        sending_since=long_ago,
    )
    Delivery.objects.create(invoice=invoice, to="c@customer.example", subject="just queued")
    Delivery.objects.filter(pk=lost.pk).update(modified_on=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        requeue()

    states = dict(Delivery.objects.values_list("subject", "state"))
    assert states == {
        "lost in the broker": "sent",
        "worker hit the time limit": "sent",
        "just queued": "queued",
    }
    assert sorted(m.to[0] for m in mailoutbox) == ["a@customer.example", "b@customer.example"]


def test_a_message_that_kills_its_worker_every_time_stops_coming_back(invoice, rep, mailoutbox, monkeypatch):
    """reject_on_worker_lost redelivers a task whose worker died; the row caps how often."""
    delivery = services.delivery_queue(invoice=invoice, by=rep, to="a@customer.example", subject="S")
    for _ in range(services.MAX_TAKEOVERS + 1):  # claim, then "die" before sending, again and again
        assert services.delivery_claim(delivery.pk) is not None

    assert services.delivery_claim(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "not confirmed as sent" in delivery.last_error
    assert events(invoice, TimelineKind.EMAIL_FAILED) == 1 and mailoutbox == []

    services.delivery_retry(delivery=delivery, by=rep)
    delivery.refresh_from_db()
    assert delivery.takeovers == 0 and delivery.state == DeliveryState.QUEUED
