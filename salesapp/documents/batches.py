"""Bulk Send by Email (issue 12): many invoices or credit notes ticked in a list, one delivery each.

Every delivery goes through `services.delivery_queue`, the door of a single Send by Email, so a bulk
send obeys exactly the rules one send does (addresses, pricing errors, the lifecycle, roles); this
module adds no rule of its own beyond "no address, nothing to queue". Whatever `delivery_queue`
refuses is *skipped* with its reason, never a failure of the whole batch. The batch row keeps the
skips; its deliveries (queued → sending → sent | failed) say how far it got.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count

from salesapp.core.exceptions import DomainError, ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.core.text import has_line_break, one_line

from . import services
from .kinds import DocumentKind
from .models import Delivery, DeliveryBatch, DeliveryState
from .rendering import fill, template_values

NO_ADDRESS = "The customer has no email address; add one to the customer."


def not_found(kind: DocumentKind) -> str:
    return f"No {kind.noun} with this id (deleted, or another kind of record)."


@dataclass(frozen=True)
class Skip:
    """A selected document that gets no email, and why (in the user's words)."""

    id: str
    number: str
    reason: str

    def as_row(self) -> dict[str, str]:
        return {"id": self.id, "number": self.number, "reason": self.reason}


@dataclass
class Plan:
    """What a bulk send would do or did: the documents queued and the ones skipped."""

    ready: list[Any] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


def clean_templates(subject: str, body: str) -> tuple[str, str]:
    """The subject and message templates as typed: the subject one non-empty line, both within the
    limits of one email (the filled-in text is checked again per document by delivery_queue)."""
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed("Subject: enter a subject.", field="subject")
    if has_line_break(subject):
        raise ValidationFailed("Subject: a subject is one line.", field="subject")
    if len(subject) > services.MAX_SUBJECT:
        raise ValidationFailed(f"Subject: at most {services.MAX_SUBJECT} characters.", field="subject")
    body = body or ""
    if len(body) > services.MAX_BODY:
        raise ValidationFailed(f"Message: at most {services.MAX_BODY} characters.", field="body")
    return subject, body


def load_selected(kind: DocumentKind, ids: Sequence[uuid.UUID]) -> tuple[list[Any], list[Skip]]:
    """The documents of `kind` with these ids, in the order given; ids that aren't one are skips."""
    found = kind.model.objects.select_related(
        "currency", "customer_account", "customer_contact", "customer_account__primary_contact"
    ).in_bulk(list(ids))
    documents = [found[pk] for pk in ids if pk in found]
    missing = [Skip(str(pk), "", not_found(kind)) for pk in ids if pk not in found]
    return documents, missing


def _in_order(skipped: list[Skip], ids: Sequence[uuid.UUID]) -> list[Skip]:
    """The skips in the order the documents were selected."""
    position = {str(pk): n for n, pk in enumerate(ids)}
    return sorted(skipped, key=lambda skip: position.get(skip.id, len(position)))


class _DryRun(Exception):
    """Raised to roll a trial queue back (preview)."""


def _queue_one(
    document: Any, *, by: Any, subject: str, body: str, org: OrganizationSettings, batch: DeliveryBatch | None
) -> Delivery | Skip:
    to = services.customer_email(document)
    if not to:
        return Skip(str(document.pk), document.number, NO_ADDRESS)
    values = template_values(document, org)
    try:
        with transaction.atomic():  # a refusal rolls back this document only
            delivery = services.delivery_queue(
                document=document,
                by=by,
                to=to,
                subject=one_line(fill(subject, values)),
                body=fill(body, values),
                batch=batch,
            )
    except (DomainError, PermissionDenied) as exc:
        return Skip(str(document.pk), document.number, getattr(exc, "message", None) or str(exc))
    return delivery


def delivery_preview_many(
    *, kind: DocumentKind, ids: Sequence[uuid.UUID], by: Any, subject: str, body: str
) -> Plan:
    """What `delivery_queue_many` would do now, found by queuing each one for real and rolling it back:
    the reasons shown before sending are the reasons `delivery_queue` gives, word for word."""
    subject, body = clean_templates(subject, body)
    documents, skipped = load_selected(kind, ids)
    org = OrganizationSettings.load()
    plan = Plan(skipped=skipped)
    for document in documents:
        outcome: Delivery | Skip | None = None
        try:
            with transaction.atomic():
                outcome = _queue_one(document, by=by, subject=subject, body=body, org=org, batch=None)
                raise _DryRun
        except _DryRun:
            pass
        if isinstance(outcome, Skip):
            plan.skipped.append(outcome)
        else:
            plan.ready.append(document)
    plan.skipped = _in_order(plan.skipped, ids)
    return plan


def delivery_queue_many(
    *, kind: DocumentKind, ids: Sequence[uuid.UUID], by: Any, subject: str, body: str
) -> DeliveryBatch:
    """Send by Email of many documents of one kind: one delivery each through `delivery_queue`, with
    the subject and message templates filled in per document ({number}, {customer}, {total} …),
    grouped in a DeliveryBatch that records the skipped ones and why. Returns the batch.

    One transaction: the deliveries are enqueued when it commits, so a batch is all there or not at all.
    """
    subject, body = clean_templates(subject, body)
    documents, skipped = load_selected(kind, ids)
    org = OrganizationSettings.load()
    with transaction.atomic():
        batch = DeliveryBatch.objects.create(
            kind=kind.kind,
            subject_template=subject,
            body_template=body,
            requested=len(ids),
            created_by=by if getattr(by, "pk", None) else None,
        )
        for document in documents:
            outcome = _queue_one(document, by=by, subject=subject, body=body, org=org, batch=batch)
            if isinstance(outcome, Skip):
                skipped.append(outcome)
        batch.skipped = [skip.as_row() for skip in _in_order(skipped, ids)]
        batch.save(update_fields=["skipped"])
    return batch


@dataclass(frozen=True)
class Progress:
    """Where a batch stands: counts by delivery state, the skips, and whether anything is in flight."""

    requested: int
    queued: int
    sending: int
    sent: int
    failed: int
    skipped: int

    @property
    def in_flight(self) -> int:
        return self.queued + self.sending

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.requested else round(100 * self.done / self.requested)

    @property
    def finished(self) -> bool:
        return self.in_flight == 0


def batch_progress(batch: DeliveryBatch) -> Progress:
    counts = {state: 0 for state in DeliveryState.values}
    for row in batch.deliveries.order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return Progress(
        requested=batch.requested,
        queued=counts[DeliveryState.QUEUED],
        sending=counts[DeliveryState.SENDING],
        sent=counts[DeliveryState.SENT],
        failed=counts[DeliveryState.FAILED],
        skipped=len(batch.skipped),
    )
