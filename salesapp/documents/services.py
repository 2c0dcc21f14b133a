"""Document PDFs, email deliveries and payment reminders (SPEC §8, §10). Views, the Web API and
Celery tasks call these. "Document" is a quote, an order, an invoice or a credit note (salesapp.documents.kinds).

Payment reminders are deliveries too (purpose `reminder`, the invoice PDF attached): they go through
the same queue, worker and exactly-once claim as Send by Email.

Exactly-once email, and where it stops being exact
---------------------------------------------------
A delivery row goes queued → sending → sent (or failed). SMTP is never spoken inside a database
transaction or under a row lock: on SQLite (IMMEDIATE transactions) that would stall every writer of
the app for as long as the SMTP server takes, and on PostgreSQL it would pin a connection and a lock.
An attempt

1. takes the delivery's *liveness lock* (salesapp.documents.liveness: a PostgreSQL session advisory
   lock on a connection of its own, or an flock'd file on SQLite) — not a transaction, and released
   by the server or the kernel the moment the process holding it dies. Can't take it: another attempt
   is alive and working on the delivery, so this one backs off (`busy`) and does nothing;
2. *claims* the row in a short committed transaction: state `sending`, a fresh `attempt_token`,
   attempts + 1;
3. renders (or reuses) the PDF and sends it over SMTP with no transaction open (after checking the
   row still carries its token);
4. stores `sent` with a conditional UPDATE … WHERE id = … AND attempt_token = … AND state = 'sending'
   (and the timeline event) in a second short transaction, then lets the liveness lock go.

Consequences:

* a row that is `sent` is never sent again: every attempt returns at once;
* two copies of the task (a redelivered message, a retry published twice, a manual Retry, the stale
  sweep) never both send: the second can't take the liveness lock while the first lives;
* a worker killed at any point leaves the row `sending` with its token and releases its liveness
  lock (its process, so its file or database session, is gone); the broker redelivers the
  unacknowledged task (acks_late + reject_on_worker_lost) and the new attempt, which *can* take the
  lock, knows the previous one is dead and takes the row over. The customer gets one message.

A message whose worker dies on every attempt (a crash or the out-of-memory killer) would come back
forever with reject_on_worker_lost; the row counts those takeovers and fails the delivery after
MAX_TAKEOVERS of them.

The one window nobody can close with SMTP alone: the server has accepted the message (250) and
the worker dies before our UPDATE to `sent` (a few milliseconds). The redelivered task then sends
again. The Message-ID is deterministic (derived from the delivery id), so that second copy carries
the same Message-ID as the first and mail systems that de-duplicate by Message-ID drop it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
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

from salesapp.accounts.roles import has_role
from salesapp.core.exceptions import DomainError, PermissionDeniedError, StateError, ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.core.text import has_line_break, one_line
from salesapp.core.views.records import create_once
from salesapp.sales.models import CreditNote, Invoice, Quote, SalesOrder, TimelineKind
from salesapp.sales.services import ensure_current_pricing, require_issuable
from salesapp.sales.services.common import lines_of, lock, record, refresh_pricing, require
from salesapp.sales.services.einvoice import einvoicing_on, require_einvoice_ready
from salesapp.sales.states import INVOICE

from . import liveness, mailer
from .einvoice.cii import cii_xml
from .kinds import kind_of
from .models import (
    DOCUMENT_RELATIONS,
    Delivery,
    DeliveryBatch,
    DeliveryPurpose,
    DeliveryState,
    DocumentPdf,
    split_addresses,
)
from .rendering import document_html, fill, html_to_pdf, template_values

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
MAX_SUBJECT = 300
MAX_BODY = 20_000
MAX_TAKEOVERS = 3
SEND_INVOICE_EMAIL = "documents.send_invoice_email"  # the name of tasks.send_invoice_email (any document)
Document = Quote | SalesOrder | Invoice | CreditNote


# --- the PDF -----------------------------------------------------------------------------------------


def stored_document_pdf(
    document: Document, *, by: Any = None, org: OrganizationSettings | None = None
) -> DocumentPdf:
    """The document's PDF row: reused while the print HTML (and logo) is unchanged, else re-rendered.

    An open, unlocked invoice is repriced first (SPEC §6: exports show current prices). `org` when
    the caller has loaded the settings already.
    """
    document = ensure_current_pricing(document, by=by)
    kind = kind_of(document)
    org = org or OrganizationSettings.load()
    rendered = document_html(document, org=org)
    # None unless e-invoicing is on; from the document, lines and VAT breakdown the print was made from
    facturx = facturx_xml(rendered.document, org=org, lines=rendered.lines, vat=rendered.vat)
    fingerprint = rendered.fingerprint
    if facturx is not None:  # the XML (and that the PDF is Factur-X) is part of what the PDF shows
        fingerprint = hashlib.sha256(fingerprint.encode() + facturx).hexdigest()
    current = DocumentPdf.objects.filter(**kind.rows_of(document), fingerprint=fingerprint).first()
    if current is not None:
        return current
    started = timezone.now()
    pdf, pages = html_to_pdf(rendered.html, logo_name=rendered.logo_name, facturx=facturx)
    values = {
        "content_version": rendered.content_version,
        "settings_hash": rendered.settings_hash,
        "fingerprint": fingerprint,
        "pdf": pdf,
        "size": len(pdf),
        "pages": pages,
        "render_ms": int((timezone.now() - started).total_seconds() * 1000),
    }
    try:
        with transaction.atomic():
            row, _ = DocumentPdf.objects.update_or_create(**kind.rows_of(document), defaults=values)
    except IntegrityError:  # another worker stored one at the same moment: ours is as good
        DocumentPdf.objects.filter(**kind.rows_of(document)).update(**values)
        row = DocumentPdf.objects.get(**kind.rows_of(document))
    return row


def facturx_xml(
    document: Document,
    *,
    action: str = "Download PDF",
    org: OrganizationSettings | None = None,
    lines: list[Any] | None = None,
    vat: list[Any] | None = None,
) -> bytes | None:
    """The document's Factur-X CII XML when e-invoicing is on (None when it is off); refused with
    what to fix when the document can't be a valid EN 16931 e-invoice. `org`, `lines` and `vat`
    (its VAT breakdown) when the caller has them already."""
    org = org or OrganizationSettings.load()
    if not einvoicing_on(document, org):
        return None
    lines = lines_of(document) if lines is None else lines
    require_einvoice_ready(document, action, org=org, lines=lines)
    return cii_xml(document, org=org, lines=lines, rows=vat or None)


def einvoice_xml(document: Document, *, by: Any = None) -> bytes:
    """The document's EN 16931 CII XML (what its Factur-X PDF embeds), whether or not e-invoicing is on;
    refused with what to fix when the document can't be a valid e-invoice."""
    document = ensure_current_pricing(document, by=by)
    require_einvoice_ready(document, "The e-invoice XML", always=True)
    return cii_xml(document)


def document_pdf(document: Document, *, by: Any = None, org: OrganizationSettings | None = None) -> bytes:
    """The document's PDF as bytes (rendered once, then reused until the document changes)."""
    return bytes(stored_document_pdf(document, by=by, org=org).pdf)


# The invoice-only names the Web API, bench/ and older callers use.
stored_invoice_pdf = stored_document_pdf
invoice_pdf = document_pdf


def pdf_filename(document: Document) -> str:
    kind = kind_of(document)
    fallback = kind.kind
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", document.number or fallback).strip("-")
    return f"{safe or fallback}.pdf"


# --- composing ---------------------------------------------------------------------------------------


# The default subject and message of each kind but invoices (whose are organization settings).
EMAIL_TEMPLATES = {
    "quote": (
        "Quote {number} from {seller}",
        "Dear customer,\n\nplease find attached our quote {number} for {total}.\n\nKind regards,\n{seller}",
    ),
    "salesorder": (
        "Order confirmation {number} from {seller}",
        "Dear customer,\n\nthank you for your order. Please find attached the confirmation of order {number} "
        "for {total}.\n\nKind regards,\n{seller}",
    ),
    "creditnote": (
        "Credit note {number} from {seller}",
        "Dear customer,\n\nplease find attached credit note {number} for {total}, which credits invoice "
        "{invoice}.\n\nKind regards,\n{seller}",
    ),
}


def email_templates(kind: str, org: OrganizationSettings | None = None) -> tuple[str, str]:
    """The subject and message templates (placeholders unfilled) Send by Email of a document kind
    starts from: the organization's for invoices, ours for the other kinds."""
    if kind in EMAIL_TEMPLATES:
        return EMAIL_TEMPLATES[kind]
    org = org or OrganizationSettings.load()
    return org.email_subject_template, org.email_body_template


def compose_defaults(document: Document) -> dict[str, str]:
    """SPEC §8 defaults of the Send by Email dialog."""
    org = OrganizationSettings.load()
    values = template_values(document, org)
    subject, body = email_templates(document.kind, org)
    return {
        "to": customer_email(document),
        "cc": "",
        # a document or customer name may hold a line break; a subject can't
        "subject": one_line(fill(subject, values)),
        "body": fill(body, values),
    }


def customer_email(document: Document) -> str:
    customer = document.customer
    return getattr(customer, "billing_email", "") if customer else ""


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


def require_may_email(document: Document, by: Any) -> None:
    """Send by Email's one check, shared by the screens, the Web API, bulk sending and tasks: the
    lifecycle table's `email` row (which states, which role) and the document's own rules."""
    if not has_role(by, document.lifecycle.role("email"), document):
        raise PermissionDeniedError("You need the Salesperson or Sales manager role to send documents.")
    require(document, "email")


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
    *,
    by: Any,
    to: str,
    subject: str,
    cc: str = "",
    body: str = "",
    document: Document | None = None,
    invoice: Invoice | None = None,
    batch: DeliveryBatch | None = None,
) -> Delivery:
    """Send by Email of a document (`invoice=` is the older spelling of `document=`): validate the
    addresses, store a queued delivery (in `batch`, for a bulk send), enqueue the send after commit.

    Returns at once; a Celery worker renders the PDF and talks SMTP.
    """
    document = document if document is not None else invoice
    if document is None:
        raise TypeError("delivery_queue needs the document to send")
    if isinstance(to, list | tuple):
        to = ", ".join(to)
    if isinstance(cc, list | tuple):
        cc = ", ".join(cc)
    require_may_email(document, by)
    document = ensure_current_pricing(document, by=by)
    require_issuable(document, "email")
    require_einvoice_ready(document)
    to_list, cc_list, subject, body = _clean(to, cc, subject, body)
    delivery = Delivery.objects.create(
        **{kind_of(document).field: document},
        to=", ".join(to_list),
        cc=", ".join(cc_list),
        subject=subject,
        body=body,
        batch=batch,
        created_by=by if getattr(by, "pk", None) else None,
    )
    record(
        document,
        TimelineKind.EMAIL_QUEUED,
        f"Email queued to {delivery.to}",
        by=by,
        delivery_id=str(delivery.pk),
        to=delivery.to,
        subject=subject,
    )
    _enqueue(delivery.pk)
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by: Any) -> Delivery:
    """Retry a failed delivery by hand: failed → queued, enqueued again. Nothing else may be retried."""
    fresh = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related(*DOCUMENT_RELATIONS)
        .get(pk=delivery.pk)
    )
    if fresh.state != DeliveryState.FAILED:
        raise StateError(
            f"Only a failed email can be retried; this one is {fresh.get_state_display().lower()}."
        )
    fresh.state = DeliveryState.QUEUED
    fresh.attempt_token = None
    fresh.takeovers = 0
    fresh.save(update_fields=["state", "attempt_token", "takeovers", "modified_on"])
    record(
        fresh.document,
        TimelineKind.EMAIL_QUEUED,
        f"Email to {fresh.to} queued again (retry)",
        by=by,
        delivery_id=str(fresh.pk),
        to=fresh.to,
    )
    _enqueue(fresh.pk)
    return fresh


def delivery_requeue_stale(
    *, queued_for: timedelta = timedelta(minutes=15), sending_for: timedelta | None = None
) -> list[Delivery]:
    """Enqueue again deliveries whose task went missing: queued for too long (the broker was down when
    they were queued, or lost the message) or `sending` for longer than a task may run (its worker was
    killed by the hard time limit, which acknowledges the message). Safe to run any time: an extra
    task for a live delivery finds it sent, or backs off while its attempt holds the liveness lock.
    Run by `manage.py documents_requeue`.
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
    what = "invoice-reminder" if delivery.is_reminder else f"{kind_of(delivery.document).kind}-delivery"
    return f"<{what}.{delivery.pk}@{domain}>"


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


def delivery_claim(delivery_id: Any) -> Delivery | None:
    """Start an attempt: mark the row `sending` with a new token (`attempt_token`) and commit; the
    row comes back with its document, read by the same query. None: nothing to do."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(*DOCUMENT_RELATIONS)
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state in (DeliveryState.SENT, DeliveryState.FAILED):
            return None
        if delivery.state == DeliveryState.SENDING:
            # The previous attempt died after claiming (worker killed, redelivered message): the
            # caller holds the liveness lock, so that attempt's process is gone, and it did not
            # record `sent`, so the message was not accepted — except in the window described in
            # the module docstring.
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
        return delivery


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
    message.attach(pdf_filename(delivery.document), pdf, "application/pdf")
    return message


def _finish_failed(delivery: Delivery, error: str) -> None:
    delivery.state = DeliveryState.FAILED
    delivery.last_error = error[:2000]
    delivery.attempt_token = None
    delivery.save(update_fields=["state", "last_error", "attempt_token", "takeovers", "modified_on"])
    record(
        delivery.document,
        TimelineKind.EMAIL_FAILED,
        f"{_what(delivery)} to {delivery.to} failed: {error}"[:500],
        delivery_id=str(delivery.pk),
        to=delivery.to,
        error=error[:500],
        attempts=delivery.attempts,
    )


def delivery_attempt(delivery_id: Any, *, final_attempt: bool) -> Outcome:
    """One attempt to send a delivery (see the module docstring for the exactly-once argument).

    No database transaction is open and no row is locked while SMTP is spoken: the attempt claims the
    row and commits, renders (or reuses) the PDF, sends, then stores `sent` with an UPDATE that only
    applies while the row still carries this attempt's token. Its delivery's liveness lock
    (salesapp.documents.liveness) is held throughout, so a second copy of the task backs off
    (`busy`) while this one lives, and takes over only once it has died.

    A transient SMTP error puts the row back to `queued` with the error, unless `final_attempt`,
    in which case (as for a permanent error) it becomes `failed` with a timeline event.
    """
    with liveness.hold(liveness.delivery_lock_name(delivery_id)) as alive:
        if not alive:
            log.info("delivery %s: another attempt is working on it; backing off", delivery_id)
            return Outcome("busy")
        return _attempt(delivery_id, final_attempt=final_attempt)


def _attempt(delivery_id: Any, *, final_attempt: bool) -> Outcome:
    delivery = delivery_claim(delivery_id)
    if delivery is None:
        return Outcome("done")
    token = delivery.attempt_token
    assert token is not None  # the claim set it
    org = OrganizationSettings.load()
    try:
        pdf = document_pdf(delivery.document, org=org)
    except Exception as exc:  # a bug or a broken template: retrying won't help
        log.exception("delivery %s: rendering the PDF failed", delivery_id)
        transient, error = classify(exc) if isinstance(exc, SoftTimeLimitExceeded) else (False, f"PDF: {exc}")
        return _record_error(delivery_id, token, error, transient and not final_attempt)
    if not Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING, attempt_token=token).exists():
        return Outcome("done")  # a later attempt took over, or it was finished meanwhile
    try:
        mailer.send(_build_message(delivery, pdf, org))
    except Exception as exc:
        transient, error = classify(exc)
        log.warning(
            "delivery %s: attempt %s failed (%s): %s",
            delivery_id,
            delivery.attempts,
            "transient" if transient else "permanent",
            error,
        )
        return _record_error(delivery_id, token, error, transient and not final_attempt)
    return _record_sent(delivery, token)


def _record_sent(delivery: Delivery, token: uuid.UUID) -> Outcome:
    """The server accepted the message: `sent`, if the row is still this attempt's (one short transaction)."""
    sent_at = timezone.now()
    message_id = message_id_for(delivery)
    with transaction.atomic():
        claimed = Delivery.objects.filter(
            pk=delivery.pk, attempt_token=token, state=DeliveryState.SENDING
        ).update(
            state=DeliveryState.SENT,
            sent_at=sent_at,
            message_id=message_id,
            last_error="",
            attempt_token=None,
            modified_on=sent_at,
        )
        if not claimed:
            # Only a sweep or a hand edit can do this while we hold the liveness lock; whoever has
            # the row now sends with the same Message-ID, which receivers de-duplicate.
            log.error("delivery %s: sent, but the row was no longer this attempt's", delivery.pk)
            return Outcome("done")
        if delivery.invoice_id:  # the invoice reached the customer: from now on it is credited, not canceled
            Invoice.objects.filter(pk=delivery.invoice_id, first_sent_on__isnull=True).update(
                first_sent_on=sent_at
            )
        record(
            delivery.document,
            TimelineKind.EMAILED,
            f"{'Payment reminder emailed' if delivery.is_reminder else 'Emailed'} to {delivery.to}",
            delivery_id=str(delivery.pk),
            to=delivery.to,
            message_id=message_id,
        )
    return Outcome("sent")


def _record_error(delivery_id: Any, token: uuid.UUID, error: str, retry: bool) -> Outcome:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(*DOCUMENT_RELATIONS)
            .get(pk=delivery_id)
        )
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


def _what(delivery: Delivery) -> str:
    return "Payment reminder" if delivery.is_reminder else "Email"


# --- payment reminders (SPEC §10) ----------------------------------------------------------------


def reminder_send(*, invoice: Invoice, by: Any, token: uuid.UUID | None = None) -> Delivery:
    """Send Payment Reminder (lifecycle action `remind`: a sales manager, an overdue invoice with a
    balance due): queue a reminder email with the invoice PDF through the Send by Email machinery.

    `token` (the dialog's one-time token) makes it exactly once per request: the same token again
    returns the delivery it queued and queues nothing. The returned delivery's `queued_now` says which.
    """
    if not has_role(by, invoice.lifecycle.role("remind"), invoice):
        raise PermissionDeniedError("Only a sales manager may send a payment reminder.")
    if token is None:
        delivery = _queue_reminder(invoice, by=by)
        delivery.queued_now = True
        return delivery
    result, queued_now = create_once(token, Delivery.__name__, lambda: _queue_reminder(invoice, by=by))
    existing: Delivery = result if queued_now else Delivery.objects.get(pk=result.result_id)
    existing.queued_now = queued_now
    return existing


@transaction.atomic
def _queue_reminder(
    invoice: Invoice, *, by: Any, period: int | None = None, org: OrganizationSettings | None = None
) -> Delivery:
    invoice = lock(invoice)
    refresh_pricing(invoice, by=by)
    require(invoice, "remind")
    require_issuable(invoice, "remind")
    org = org or OrganizationSettings.load()
    to = customer_email(invoice)
    if not to:
        raise ValidationFailed(
            "Send Payment Reminder isn't possible: the customer has no email address; add one to the customer.",
            field="to",
        )
    values = template_values(invoice, org)
    to_list, _, subject, body = _clean(
        to,
        "",
        one_line(fill(org.reminder_subject_template, values)),
        fill(org.reminder_body_template, values),
    )
    delivery = Delivery.objects.create(
        invoice=invoice,
        purpose=DeliveryPurpose.REMINDER,
        reminder_period=period,
        to=", ".join(to_list),
        subject=subject,
        body=body,
        created_by=by if getattr(by, "pk", None) else None,
    )
    record(
        invoice,
        TimelineKind.REMINDER_QUEUED,
        f"Payment reminder queued to {delivery.to}" + (" (automatic)" if period is not None else ""),
        by=by,
        delivery_id=str(delivery.pk),
        to=delivery.to,
        balance_due=invoice.balance_due,
        automatic=period is not None,
    )
    _enqueue(delivery.pk)
    return delivery


def reminders_send_due(*, today: date | None = None) -> list[Delivery]:
    """The daily reminder run (Celery beat, `documents.send_due_reminders`), when the organization has
    reminders on: every invoice overdue by at least `reminder_days_after_due` days with a balance due
    gets a reminder, unless one (automatic or by hand) was queued for it in the last
    `reminder_interval_days` days.

    Exactly once however often it runs, even concurrently: each invoice is handled in its own
    transaction on its locked row (the second run waits, then sees the first one's reminder), and
    an automatic reminder carries its period — (days overdue − days after due) ÷ interval — under a
    unique (invoice, period) constraint, so even without the lock a period can't get two.
    No SMTP here: the reminders are queued for the workers like any Send by Email.
    """
    org = OrganizationSettings.load()
    if not org.reminders_enabled:
        return []
    today = today or timezone.localdate()
    after, interval = org.reminder_days_after_due, max(org.reminder_interval_days, 1)
    candidates = list(
        Invoice.objects.filter(
            state__in=INVOICE.actions["remind"].sources,
            balance_due__gt=0,
            due_date__lte=today - timedelta(days=max(after, 1)),
        )
        .order_by("due_date", "pk")
        .values_list("pk", "due_date")
    )
    queued = []
    for pk, due in candidates:
        if due is None:
            continue
        period = ((today - due).days - after) // interval
        try:
            with transaction.atomic():
                invoice = lock(Invoice(pk=pk))
                if not invoice.can("remind") or _reminded_recently(invoice, today, interval):
                    continue
                queued.append(_queue_reminder(invoice, by=None, period=period, org=org))
        except IntegrityError:  # another run queued this period's reminder at the same moment
            log.info("invoice %s: reminder for period %s already queued", pk, period)
        except DomainError as exc:  # no email address, a pricing error: the invoice says why by hand
            log.warning("invoice %s: no payment reminder: %s", pk, exc.message)
    return queued


def _reminded_recently(invoice: Invoice, today: date, interval: int) -> bool:
    """A reminder was queued on one of the last `interval` days (today included)."""
    return Delivery.objects.filter(
        invoice=invoice,
        purpose=DeliveryPurpose.REMINDER,
        created_on__date__gt=today - timedelta(days=interval),
    ).exists()
