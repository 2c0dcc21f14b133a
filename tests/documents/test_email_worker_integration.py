"""Send by Email end to end with the real things: Redis as the broker, `celery worker` processes
(prefork) against the PostgreSQL test database, and an SMTP server (aiosmtpd) on localhost.

Required on CI (tests/services.py): locally they skip without PostgreSQL or Redis.
"""

import io
import uuid

import pypdf
import pytest
from django.db import connection
from django.test import Client

from salesapp.documents import services
from salesapp.documents.models import Delivery, DeliveryState
from salesapp.sales.models import TimelineEvent, TimelineKind
from tests.documents.harness import Worker, celery_enqueues_to, free_port, start_smtp, wait_until, worker_env
from tests.services import require_postgres, require_redis

pytestmark = pytest.mark.integration

WAIT = 90  # seconds; generous for a loaded 2-core CI box


@pytest.fixture
def broker(transactional_db):
    """The web side enqueues to Redis (a queue of its own) instead of running tasks in-process."""
    require_postgres()
    url = require_redis()
    queue = f"salesapp-test-{uuid.uuid4().hex[:10]}"
    with celery_enqueues_to(url, queue):
        yield {"url": url, "queue": queue}


@pytest.fixture
def database_url(broker):
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def smtp():
    controller, handler = start_smtp()
    handler.port = controller.port
    yield handler
    handler.release.set()
    controller.stop()


@pytest.fixture
def workers(broker, database_url):
    started: list[Worker] = []

    def start(smtp_port: int, **extra: str) -> Worker:
        worker = Worker(
            worker_env(
                database_url=database_url,
                broker_url=broker["url"],
                queue=broker["queue"],
                smtp_port=smtp_port,
                **extra,
            )
        )
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def delivery_state(delivery_id) -> Delivery:
    return Delivery.objects.get(pk=delivery_id)


def wait_state(delivery_id, *states: str, worker: Worker | None = None) -> Delivery:
    ok = wait_until(lambda: delivery_state(delivery_id).state in states, WAIT, interval=0.2)
    assert ok, (
        f"delivery still {delivery_state(delivery_id).state}:\n{worker.log()[-4000:] if worker else ''}"
    )
    return delivery_state(delivery_id)


def send_from_dialog(invoice, rep, to="billing@customer.example") -> Delivery:
    client = Client()
    client.force_login(rep)
    response = client.post(
        f"/documents/invoices/{invoice.pk}/email/",
        {
            "to": to,
            "cc": "",
            "subject": f"Invoice {invoice.invoice_number}",
            "body": "Please find it attached.",
            "form_token": str(uuid.uuid4()),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "deliveryQueued"
    return Delivery.objects.get()


def pdf_text(message) -> str:
    (attachment,) = [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(attachment.get_content())).pages)


def test_send_by_email_delivers_one_message_with_the_invoice_pdf(invoice, account, rep, smtp, workers):
    worker = workers(smtp.port)

    delivery = send_from_dialog(invoice, rep)

    delivery = wait_state(delivery.pk, DeliveryState.SENT, DeliveryState.FAILED, worker=worker)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    assert smtp.wait_for(1, 5)
    wait_until(lambda: False, 1.5)  # nothing else arrives
    (message,) = smtp.parsed()
    assert message["Message-ID"].strip() == delivery.message_id
    assert message["To"] == "billing@customer.example"
    text = pdf_text(message)
    assert invoice.invoice_number in text
    assert account.name in text
    assert "$255.00" in text
    assert TimelineEvent.objects.filter(document_id=invoice.pk, kind=TimelineKind.EMAILED).count() == 1


def test_smtp_refusing_then_accepting_ends_sent_with_one_message(invoice, rep, smtp, workers):
    smtp.refuse = ["451 4.3.0 try later", "451 4.3.0 try later"]
    worker = workers(smtp.port)

    delivery = send_from_dialog(invoice, rep)

    delivery = wait_state(delivery.pk, DeliveryState.SENT, DeliveryState.FAILED, worker=worker)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    assert delivery.attempts == 3
    wait_until(lambda: False, 1.5)
    assert len(smtp.messages) == 1 and smtp.refuse == []


def test_smtp_down_for_good_fails_visibly_and_retry_works_once_it_is_back(invoice, rep, workers):
    port = free_port()  # nothing listens here yet
    worker = workers(port)

    delivery = send_from_dialog(invoice, rep)

    delivery = wait_state(delivery.pk, DeliveryState.FAILED, DeliveryState.SENT, worker=worker)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 4  # the first try and 3 retries
    assert "Connection refused" in delivery.last_error or "ConnectionRefused" in delivery.last_error
    client = Client()
    client.force_login(rep)
    html = client.get(
        f"/documents/invoices/{invoice.pk}/deliveries/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-state="failed"' in html and "Connection refused" in html and "delivery-retry" in html
    assert TimelineEvent.objects.filter(document_id=invoice.pk, kind=TimelineKind.EMAIL_FAILED).count() == 1

    controller, handler = start_smtp(port)
    try:
        response = client.post(f"/documents/deliveries/{delivery.pk}/retry/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        delivery = wait_state(delivery.pk, DeliveryState.SENT, DeliveryState.FAILED, worker=worker)
        assert delivery.state == DeliveryState.SENT, delivery.last_error
        wait_until(lambda: False, 1.5)
        assert len(handler.messages) == 1
    finally:
        controller.stop()


def test_worker_killed_mid_send_the_task_runs_again_and_the_customer_gets_one_email(
    invoice, rep, smtp, workers
):
    smtp.block = True  # the SMTP server holds the first message at DATA until the worker is dead
    first = workers(smtp.port, CELERY_VISIBILITY_TIMEOUT="3")

    delivery = send_from_dialog(invoice, rep)
    assert smtp.data_started.wait(WAIT), first.log()[-4000:]
    assert delivery_state(delivery.pk).state == DeliveryState.SENDING

    first.kill()  # SIGKILL the worker and its pool child in the middle of the SMTP conversation
    assert wait_until(lambda: smtp.aborted == 1, 10)  # the server saw the client vanish: nothing accepted
    smtp.release.set()
    assert smtp.messages == [] and delivery_state(delivery.pk).state == DeliveryState.SENDING

    second = workers(smtp.port, CELERY_VISIBILITY_TIMEOUT="3")  # the unacknowledged task comes back here

    delivery = wait_state(delivery.pk, DeliveryState.SENT, DeliveryState.FAILED, worker=second)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    assert delivery.attempts == 2
    wait_until(lambda: False, 4)  # give any duplicate a chance to show up
    assert len(smtp.messages) == 1
    (message,) = smtp.parsed()
    assert message["Message-ID"].strip() == services.message_id_for(delivery)
    assert "taking over" in second.log()
