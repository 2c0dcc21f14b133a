"""Celery tasks of the documents app. Thin: they take ids and call a service."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import services

log = logging.getLogger(__name__)


def backoff(retries: int) -> float:
    """Exponential backoff: base × 2^retries seconds, capped (EMAIL_DELIVERY_RETRY_BACKOFF[_MAX])."""
    return min(
        settings.EMAIL_DELIVERY_RETRY_BACKOFF * (2**retries), settings.EMAIL_DELIVERY_RETRY_BACKOFF_MAX
    )


@shared_task(
    bind=True,
    name=services.SEND_INVOICE_EMAIL,
    max_retries=None,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_invoice_email(self, delivery_id: str) -> str:
    """Send one delivery. Transient SMTP errors retry with exponential backoff up to
    EMAIL_DELIVERY_MAX_RETRIES times; the last one (or a permanent error) leaves the delivery failed.

    Safe to run twice, concurrently or after a crash: the delivery row and its liveness lock decide
    (services docstring); a copy that finds another attempt alive returns "busy" and does nothing.
    """
    max_retries = settings.EMAIL_DELIVERY_MAX_RETRIES
    retries = self.request.retries or 0
    outcome = services.delivery_attempt(delivery_id, final_attempt=retries >= max_retries)
    if outcome.result == "retry":
        countdown = backoff(retries)
        log.info(
            "delivery %s: retry %s/%s in %.1fs: %s",
            delivery_id,
            retries + 1,
            max_retries,
            countdown,
            outcome.error,
        )
        raise self.retry(countdown=countdown)
    return outcome.result


@shared_task(name="documents.requeue_stale_deliveries", ignore_result=True)
def requeue_stale_deliveries() -> int:
    """Celery beat runs this every DELIVERY_REQUEUE_INTERVAL seconds (settings.CELERY_BEAT_SCHEDULE):
    deliveries whose task went missing are enqueued again. Idempotent, like the send itself."""
    stale = services.delivery_requeue_stale(
        queued_for=timedelta(minutes=settings.DELIVERY_REQUEUE_AFTER_MINUTES)
    )
    if stale:
        log.warning("%s stale deliveries enqueued again", len(stale))
    return len(stale)


@shared_task(name="documents.send_due_reminders", ignore_result=True, acks_late=True)
def send_due_reminders() -> int:
    """Celery beat runs this once a day (settings.CELERY_BEAT_SCHEDULE): a payment reminder for every
    invoice overdue long enough, when the organization has them on. Safe to run twice, even at once:
    the service queues each invoice's reminder exactly once."""
    queued = services.reminders_send_due()
    if queued:
        log.info("%s payment reminders queued", len(queued))
    return len(queued)
