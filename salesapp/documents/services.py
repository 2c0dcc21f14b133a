"""Invoice PDFs and email deliveries (SPEC §8). Views, the Web API and Celery tasks call these.

Exactly-once email, and where it stops being exact
---------------------------------------------------
A delivery row goes queued → sending → sent (or failed). Every attempt first *claims* the row in
its own committed transaction: state `sending`, a fresh `attempt_token`, attempts + 1. It then
renders (or reuses) the PDF, and in a second transaction locks the row again (SELECT … FOR UPDATE),
checks the token is still its own, talks SMTP *while holding that lock*, and stores `sent` in the
same transaction. Consequences:

* a row that is `sent` is never sent again: every attempt returns at once;
* two copies of the task (a redelivered message, a retry published twice, a manual Retry) never
  both send: the second blocks on the row lock until the first commits `sent`, or has its token
  replaced and stops;
* a worker killed before the SMTP server accepted the message leaves the row `sending` with its
  token; its database transaction dies with it (the lock is released), the broker redelivers the
  unacknowledged task (acks_late + reject_on_worker_lost), and the new attempt takes the row over
  and sends. The customer gets one message.

A message whose worker dies on every attempt (a crash or the out-of-memory killer) would come back
forever with reject_on_worker_lost; the row counts those takeovers and fails the delivery after
MAX_TAKEOVERS of them.

The one window nobody can close with SMTP alone: the server has accepted the message (250) and
the worker dies before our COMMIT of `sent` (a few milliseconds). The redelivered task then sends
again. The Message-ID is deterministic (derived from the delivery id), so that second copy carries
the same Message-ID as the first and mail systems that de-duplicate by Message-ID drop it.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr
from typing import Any

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from salesapp.core.exceptions import StateError, ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.core.text import has_line_break, one_line
from salesapp.sales.models import Invoice, TimelineKind
from salesapp.sales.services import ensure_current_pricing, require_issuable
from salesapp.sales.services.common import record

from .models import Delivery, DeliveryState, InvoicePdf, split_addresses
from .rendering import fill, html_to_pdf, invoice_html, template_values

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
MAX_SUBJECT = 300
MAX_BODY = 20_000
MAX_TAKEOVERS = 3
SEND_INVOICE_EMAIL = "documents.send_invoice_email"  # the name of tasks.send_invoice_email


# --- the PDF -----------------------------------------------------------------------------------------


def stored_invoice_pdf(invoice: Invoice, *, by: Any = None) -> InvoicePdf:
    """The invoice's PDF row: reused while the print HTML (and logo) is unchanged, else re-rendered.

    An open, unlocked invoice is repriced first (SPEC §6: exports show current prices).
    """
    invoice = ensure_current_pricing(invoice, by=by)
    rendered = invoice_html(invoice)
    current = InvoicePdf.objects.filter(invoice_id=invoice.pk, fingerprint=rendered.fingerprint).first()
    if current is not None:
        return current
    started = timezone.now()
    pdf, pages = html_to_pdf(rendered.html, logo_name=rendered.logo_name)
    values = {
        "content_version": rendered.content_version,
        "settings_hash": rendered.settings_hash,
        "fingerprint": rendered.fingerprint,
        "pdf": pdf,
        "size": len(pdf),
        "pages": pages,
        "render_ms": int((timezone.now() - started).total_seconds() * 1000),
    }
    try:
        with transaction.atomic():
            row, _ = InvoicePdf.objects.update_or_create(invoice_id=invoice.pk, defaults=values)
    except IntegrityError:  # another worker stored one at the same moment: ours is as good
        InvoicePdf.objects.filter(invoice_id=invoice.pk).update(**values)
        row = InvoicePdf.objects.get(invoice_id=invoice.pk)
    return row


def invoice_pdf(invoice: Invoice, *, by: Any = None) -> bytes:
    """The invoice PDF as bytes (rendered once, then reused until the invoice changes)."""
    return bytes(stored_invoice_pdf(invoice, by=by).pdf)


def pdf_filename(invoice: Invoice) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", invoice.invoice_number or "invoice").strip("-")
    return f"{safe or 'invoice'}.pdf"


# --- composing ---------------------------------------------------------------------------------------


def compose_defaults(invoice: Invoice) -> dict[str, str]:
    """SPEC §8 defaults of the Send by Email dialog."""
    org = OrganizationSettings.load()
    values = template_values(invoice, org)
    customer = invoice.customer
    return {
        "to": getattr(customer, "billing_email", "") if customer else "",
        "cc": "",
        # a document or customer name may hold a line break; a subject can't
        "subject": one_line(fill(org.email_subject_template, values)),
        "body": fill(org.email_body_template, values),
    }


def clean_addresses(value: str, *, field: str, required: bool) -> list[str]:
    label = {"to": "To", "cc": "Cc"}[field]
    addresses = split_addresses(value or "")
    if required and not addresses:
        raise ValidationFailed(f"{label}: enter at least one email address.", field=field)
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                f"{label}: “{address[:100]}” is not a valid email address.", field=field
            ) from None
    return addresses


def _clean(to: str, cc: str, subject: str, body: str) -> tuple[list[str], list[str], str, str]:
    to_list = clean_addresses(to, field="to", required=True)
    cc_list = clean_addresses(cc, field="cc", required=False)
    if len(to_list) + len(cc_list) > MAX_RECIPIENTS:
        raise ValidationFailed(f"To: at most {MAX_RECIPIENTS} recipients in all.", field="to")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed("Subject: enter a subject.", field="subject")
    if has_line_break(subject):
        raise ValidationFailed("Subject: a subject is one line.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ValidationFailed(f"Subject: at most {MAX_SUBJECT} characters.", field="subject")
    body = body or ""
    if len(body) > MAX_BODY:
        raise ValidationFailed(f"Message: at most {MAX_BODY} characters.", field="body")
    return to_list, cc_list, subject, body


def _enqueue(delivery_id: uuid.UUID) -> None:
    # The task by its Celery name, not by import: tasks.py calls this module (tasks are thin), and
    # importing it back would make a cycle. DocumentsConfig.ready imports tasks.py, so the name is
    # always registered; looking it up (not send_task, which ignores task_always_eager) fails loudly
    # if it weren't.
    send_invoice_email = current_app.tasks[SEND_INVOICE_EMAIL]
    # robust: if the broker is down the delivery stays queued (delivery_requeue_stale picks it up)
    # instead of the user's request failing after the row was committed.
    transaction.on_commit(lambda: send_invoice_email.delay(str(delivery_id)), robust=True)


@transaction.atomic
def delivery_queue(
    *, invoice: Invoice, by: Any, to: str, cc: str = "", subject: str, body: str = ""
) -> Delivery:
    """Send by Email: validate the addresses, store a queued delivery, enqueue the send after commit.

    Returns at once; a Celery worker renders the PDF and talks SMTP.
    """
    if isinstance(to, list | tuple):
        to = ", ".join(to)
    if isinstance(cc, list | tuple):
        cc = ", ".join(cc)
    invoice = ensure_current_pricing(invoice, by=by)
    require_issuable(invoice, "email")
    to_list, cc_list, subject, body = _clean(to, cc, subject, body)
    delivery = Delivery.objects.create(
        invoice=invoice,
        to=", ".join(to_list),
        cc=", ".join(cc_list),
        subject=subject,
        body=body,
        created_by=by if getattr(by, "pk", None) else None,
    )
    record(
        invoice,
        TimelineKind.EMAIL_QUEUED,
        f"Email queued to {delivery.to}",
        by=by,
        delivery_id=str(delivery.pk),
        subject=subject,
    )
    _enqueue(delivery.pk)
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by: Any) -> Delivery:
    """Retry a failed delivery by hand: failed → queued, enqueued again. Nothing else may be retried."""
    fresh = Delivery.objects.select_for_update().select_related("invoice").get(pk=delivery.pk)
    if fresh.state != DeliveryState.FAILED:
        raise StateError(
            f"Only a failed email can be retried; this one is {fresh.get_state_display().lower()}."
        )
    fresh.state = DeliveryState.QUEUED
    fresh.attempt_token = None
    fresh.takeovers = 0
    fresh.save(update_fields=["state", "attempt_token", "takeovers", "modified_on"])
    record(
        fresh.invoice,
        TimelineKind.EMAIL_QUEUED,
        f"Email to {fresh.to} queued again (retry)",
        by=by,
        delivery_id=str(fresh.pk),
    )
    _enqueue(fresh.pk)
    return fresh


def delivery_requeue_stale(
    *, queued_for: timedelta = timedelta(minutes=15), sending_for: timedelta | None = None
) -> list[Delivery]:
    """Enqueue again deliveries whose task went missing: queued for too long (the broker was down when
    they were queued, or lost the message) or `sending` for longer than a task may run (its worker was
    killed by the hard time limit, which acknowledges the message). Safe to run any time: an extra
    task for a live delivery finds it sent, or waits for its lock. Run by `manage.py documents_requeue`.
    """
    now = timezone.now()
    sending_for = sending_for or timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stale = list(
        Delivery.objects.filter(state=DeliveryState.QUEUED, modified_on__lt=now - queued_for)
        | Delivery.objects.filter(state=DeliveryState.SENDING, sending_since__lt=now - sending_for)
    )
    for delivery in stale:
        log.warning(
            "delivery %s: %s since %s, enqueued again", delivery.pk, delivery.state, delivery.modified_on
        )
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(modified_on=now)
            _enqueue(delivery.pk)
    return stale


# --- sending (called by the Celery task) -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: sent | done (nothing to do) | retry (transient error) | failed."""

    result: str
    error: str = ""


def message_id_for(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "salesapp.local"
    return f"<invoice-delivery.{delivery.pk}@{domain}>"


def classify(exc: BaseException) -> tuple[bool, str]:
    """(transient?, message). 4xx replies, refused/closed connections and timeouts are transient;
    5xx replies (recipient refused, message rejected, authentication) are permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items())
        return (bool(codes) and all(400 <= c < 500 for c in codes)), f"Recipients refused — {detail}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500, f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(
        exc,
        smtplib.SMTPServerDisconnected
        | ConnectionError
        | socket.timeout
        | TimeoutError
        | SoftTimeLimitExceeded,
    ):
        return True, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, OSError | smtplib.SMTPException):
        return True, f"{type(exc).__name__}: {exc}"
    return False, f"{type(exc).__name__}: {exc}"


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def delivery_claim(delivery_id: Any) -> uuid.UUID | None:
    """Start an attempt: mark the row `sending` with a new token and commit. None: nothing to do."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state in (DeliveryState.SENT, DeliveryState.FAILED):
            return None
        if delivery.state == DeliveryState.SENDING:
            # The previous attempt died after claiming (worker killed, redelivered message): its
            # transaction is gone and it did not record `sent`, so the message was not accepted —
            # except in the window described in the module docstring.
            log.warning("delivery %s: taking over from an attempt that did not finish", delivery.pk)
            delivery.takeovers += 1
            if delivery.takeovers > MAX_TAKEOVERS:
                _finish_failed(
                    delivery,
                    f"The worker stopped {MAX_TAKEOVERS + 1} times while sending this email "
                    "(crash, out of memory or time limit); it was not confirmed as sent.",
                )
                return None
        token = uuid.uuid4()
        delivery.state = DeliveryState.SENDING
        delivery.attempt_token = token
        delivery.attempts += 1
        delivery.sending_since = timezone.now()
        delivery.save(
            update_fields=["state", "attempt_token", "attempts", "takeovers", "sending_since", "modified_on"]
        )
        return token


def _build_message(delivery: Delivery, pdf: bytes, org: OrganizationSettings) -> EmailMessage:
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        # one_line: a seller name saved before line breaks were refused still makes a valid From header
        from_email=formataddr((one_line(org.seller_name), settings.DEFAULT_FROM_EMAIL)),
        to=delivery.recipients,
        cc=delivery.cc_list,
        reply_to=[org.email] if org.email else None,
        headers={"Message-ID": message_id_for(delivery)},
    )
    message.attach(pdf_filename(delivery.invoice), pdf, "application/pdf")
    return message


def _finish_failed(delivery: Delivery, error: str) -> None:
    delivery.state = DeliveryState.FAILED
    delivery.last_error = error[:2000]
    delivery.attempt_token = None
    delivery.save(update_fields=["state", "last_error", "attempt_token", "takeovers", "modified_on"])
    record(
        delivery.invoice,
        TimelineKind.EMAIL_FAILED,
        f"Email to {delivery.to} failed: {error}"[:500],
        delivery_id=str(delivery.pk),
        error=error[:500],
        attempts=delivery.attempts,
    )


def delivery_attempt(delivery_id: Any, *, final_attempt: bool) -> Outcome:
    """One attempt to send a delivery (see the module docstring for the exactly-once argument).

    A transient SMTP error puts the row back to `queued` with the error, unless `final_attempt`,
    in which case (as for a permanent error) it becomes `failed` with a timeline event.
    """
    token = delivery_claim(delivery_id)
    if token is None:
        return Outcome("done")
    delivery = Delivery.objects.select_related("invoice").get(pk=delivery_id)
    try:
        pdf = invoice_pdf(delivery.invoice)
    except Exception as exc:  # a bug or a broken template: retrying won't help
        log.exception("delivery %s: rendering the PDF failed", delivery_id)
        transient, error = classify(exc) if isinstance(exc, SoftTimeLimitExceeded) else (False, f"PDF: {exc}")
        return _record_error(delivery_id, token, error, transient and not final_attempt)
    org = OrganizationSettings.load()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("invoice").get(pk=delivery_id)
        if delivery.state != DeliveryState.SENDING or delivery.attempt_token != token:
            return Outcome("done")  # a later attempt took over, or it was finished meanwhile
        try:
            _build_message(delivery, pdf, org).send(fail_silently=False)
        except Exception as exc:
            transient, error = classify(exc)
            log.warning(
                "delivery %s: attempt %s failed (%s): %s",
                delivery_id,
                delivery.attempts,
                "transient" if transient else "permanent",
                error,
            )
            return _store_error(delivery, error, retry=transient and not final_attempt)
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.message_id = message_id_for(delivery)
        delivery.last_error = ""
        delivery.attempt_token = None
        delivery.save(
            update_fields=["state", "sent_at", "message_id", "last_error", "attempt_token", "modified_on"]
        )
        record(
            delivery.invoice,
            TimelineKind.EMAILED,
            f"Emailed to {delivery.to}",
            delivery_id=str(delivery.pk),
            message_id=delivery.message_id,
        )
    return Outcome("sent")


def _record_error(delivery_id: Any, token: uuid.UUID, error: str, retry: bool) -> Outcome:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("invoice").get(pk=delivery_id)
        if delivery.state != DeliveryState.SENDING or delivery.attempt_token != token:
            return Outcome("done")
        return _store_error(delivery, error, retry=retry)


def _store_error(delivery: Delivery, error: str, *, retry: bool) -> Outcome:
    if retry:
        delivery.state = DeliveryState.QUEUED
        delivery.last_error = error[:2000]
        delivery.attempt_token = None
        delivery.save(update_fields=["state", "last_error", "attempt_token", "modified_on"])
        return Outcome("retry", error)
    _finish_failed(delivery, error)
    return Outcome("failed", error)
