"""SMTP is never spoken inside a database transaction or under a row lock; the exactly-once guarantee
stays (liveness lock, claim token, deterministic Message-ID); a worker reuses its SMTP connection.

Real SMTP server (aiosmtpd on localhost), real database (the SQLite file or PostgreSQL of the run),
attempts run in threads of this process as a worker's would.
"""

import socket
import threading
import time
import uuid

import pytest
from django.db import connection

from salesapp.documents import liveness, mailer, services
from salesapp.documents.models import Delivery, DeliveryState
from salesapp.sales import services as sales_services
from tests.documents.harness import start_smtp, wait_until


@pytest.fixture
def smtp(transactional_db, settings):
    """An aiosmtpd server the in-process mail backend talks to."""
    controller, handler = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 10
    settings.EMAIL_USE_TLS = False
    mailer.close()
    yield handler
    mailer.close()
    handler.release.set()
    controller.stop()


def queued(invoice, rep, to="ap@customer.example") -> Delivery:
    # delivery_queue enqueues on commit; outside a test transaction that would run the task eagerly
    # here, so the tests below queue the row and drive the attempt themselves.
    return Delivery.objects.create(invoice=invoice, to=to, subject=f"Invoice {invoice.invoice_number}")


def in_thread(target, *args, **kwargs) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run():
        try:
            result["value"] = target(*args, **kwargs)
        except BaseException as exc:  # surfaced by the test
            result["error"] = exc
        finally:
            connection.close()  # this thread's own database connection
            liveness.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_no_transaction_is_open_while_smtp_is_spoken(invoice, rep, smtp, monkeypatch):
    seen = []
    real_send = mailer.send

    def watching_send(message):
        seen.append(connection.in_atomic_block)
        return real_send(message)

    monkeypatch.setattr(mailer, "send", watching_send)
    delivery = queued(invoice, rep)

    outcome = services.delivery_attempt(delivery.pk, final_attempt=False)

    assert outcome.result == "sent" and seen == [False]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.message_id == services.message_id_for(delivery)
    assert len(smtp.messages) == 1


def test_the_app_still_writes_while_a_slow_smtp_server_takes_its_time(invoice, rep, smtp):
    smtp.block = True  # the server holds the message at DATA until released
    delivery = queued(invoice, rep)
    sender, result = in_thread(services.delivery_attempt, delivery.pk, final_attempt=False)
    assert smtp.data_started.wait(30), result

    timings = []
    for n in range(3):  # a page save on the same database, several times while SMTP waits
        started = time.perf_counter()
        sales_services.document_update(invoice, by=rep, name=f"Consulting, revised {n}")
        timings.append(time.perf_counter() - started)
        invoice.refresh_from_db()
    assert sender.is_alive(), "the SMTP conversation should still be going on"
    smtp.release.set()
    sender.join(30)

    assert max(timings) < 0.2, timings
    assert result.get("value") == services.Outcome("sent"), result
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(smtp.messages) == 1
    assert invoice.name == "Consulting, revised 2"


def test_a_second_attempt_backs_off_while_the_first_is_alive_then_takes_over_when_it_died(invoice, rep, smtp):
    delivery = queued(invoice, rep)
    # The first attempt claimed the row and is still talking to the server (its lock is held):
    first_token = services.delivery_claim(delivery.pk).attempt_token
    holding, release = threading.Event(), threading.Event()

    def alive_holder():
        with liveness.hold(liveness.delivery_lock_name(delivery.pk)) as taken:
            assert taken
            holding.set()
            release.wait(30)

    holder, _ = in_thread(alive_holder)
    assert holding.wait(10)

    outcome = services.delivery_attempt(delivery.pk, final_attempt=False)  # the redelivered copy

    assert outcome.result == "busy" and smtp.messages == []
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENDING and delivery.attempt_token == first_token

    release.set()  # the first attempt's process is gone: its lock with it, the row still `sending`
    holder.join(10)
    outcome = services.delivery_attempt(delivery.pk, final_attempt=False)

    assert outcome.result == "sent"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.takeovers == 1 and delivery.attempts == 2
    (message,) = smtp.parsed()
    assert message["Message-ID"].strip() == services.message_id_for(delivery)


def test_an_attempt_that_lost_its_claim_during_smtp_does_not_overwrite_the_row(
    invoice, rep, smtp, monkeypatch
):
    """The conditional UPDATE: `sent` is stored only while the row still carries this attempt's token."""
    delivery = queued(invoice, rep)
    real_send = mailer.send

    def send_then_lose_the_row(message):
        real_send(message)
        Delivery.objects.filter(pk=delivery.pk).update(attempt_token=uuid.uuid4())

    monkeypatch.setattr(mailer, "send", send_then_lose_the_row)

    outcome = services.delivery_attempt(delivery.pk, final_attempt=False)

    assert outcome.result == "done"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENDING and delivery.sent_at is None


def test_liveness_locks_exclude_each_other_and_free_when_let_go(transactional_db):
    name = liveness.delivery_lock_name(uuid.uuid4())
    with liveness.hold(name) as first:
        assert first
        with liveness.hold(name) as again:  # same thread: refused, as from another process
            assert not again
        other, result = in_thread(lambda: liveness.hold(name).__enter__())
        other.join(10)
        assert result["value"] is False
    with liveness.hold(name) as after:
        assert after


def test_five_deliveries_use_one_smtp_session(invoice, rep, smtp):
    deliveries = [queued(invoice, rep, to=f"ap{n}@customer.example") for n in range(5)]

    outcomes = [services.delivery_attempt(d.pk, final_attempt=False).result for d in deliveries]

    assert outcomes == ["sent"] * 5
    assert len(smtp.messages) == 5 and smtp.sessions == 1


def test_an_idle_or_failed_connection_is_opened_again(invoice, rep, smtp, settings):
    first, second, third, fourth = (queued(invoice, rep, to=f"ap{n}@customer.example") for n in range(4))
    assert services.delivery_attempt(first.pk, final_attempt=False).result == "sent"
    settings.EMAIL_CONNECTION_IDLE_SECONDS = 0  # idle for longer than allowed: a new session
    time.sleep(0.01)
    assert services.delivery_attempt(second.pk, final_attempt=False).result == "sent"
    assert smtp.sessions == 2
    settings.EMAIL_CONNECTION_IDLE_SECONDS = 60
    smtp.refuse = ["451 4.3.0 try later"]  # an error closes the connection: the retry opens a new one
    assert services.delivery_attempt(third.pk, final_attempt=False).result == "retry"
    assert services.delivery_attempt(third.pk, final_attempt=False).result == "sent"
    assert services.delivery_attempt(fourth.pk, final_attempt=False).result == "sent"
    assert smtp.sessions == 3 and len(smtp.messages) == 4


def test_a_server_that_hung_up_on_an_idle_connection_costs_no_message(invoice, rep, smtp):
    first, second = (queued(invoice, rep, to=f"ap{n}@customer.example") for n in range(2))
    assert services.delivery_attempt(first.pk, final_attempt=False).result == "sent"
    mailer._local.backend.connection.sock.shutdown(socket.SHUT_RDWR)  # the connection died meanwhile

    assert services.delivery_attempt(second.pk, final_attempt=False).result == "sent"
    assert wait_until(lambda: len(smtp.messages) == 2, 5) and smtp.sessions == 2
