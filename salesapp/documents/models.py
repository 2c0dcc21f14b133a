"""Stored document PDFs and email deliveries (SPEC §8).

Both are rows, not Celery results: the state a user sees (and the guard that stops a second send)
lives in the database.

Which document a row belongs to: one nullable foreign key per document kind (`quote`,
`sales_order`, `invoice`, `credit_note`) and a check constraint that exactly one is set.
Foreign keys keep the database honest (PROTECT, joins, per-kind indexes) where a generic
(kind, id) pair could point at nothing. `DOCUMENT_FIELDS` lists them; `salesapp.documents.kinds`
maps a document to its field.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

# The foreign key of each document kind on DocumentPdf and Delivery (a kind's `kind` → field name).
DOCUMENT_FIELDS = {
    "quote": "quote",
    "salesorder": "sales_order",
    "invoice": "invoice",
    "creditnote": "credit_note",
}
# For select_related: every document a row may point at.
DOCUMENT_RELATIONS = tuple(DOCUMENT_FIELDS.values())


def _exactly_one_document() -> Q:
    """Exactly one of the DOCUMENT_FIELDS foreign keys is set."""
    names = list(DOCUMENT_FIELDS.values())
    condition = Q()
    for name in names:
        others = {f"{o}__isnull": True for o in names if o != name}
        condition |= Q(**{f"{name}__isnull": False}, **others)
    return condition


class DocumentPdf(models.Model):
    """The last PDF rendered for a document, reused while what it shows is unchanged.

    `fingerprint` is a hash of the exact HTML (and logo bytes) the PDF was made from: any change to
    the document, its lines, a product name or the organization settings changes it. `content_version`
    and `settings_hash` record what the document and the seller looked like, for people reading the row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quote = models.OneToOneField(
        "sales.Quote", null=True, blank=True, on_delete=models.CASCADE, related_name="pdf"
    )
    sales_order = models.OneToOneField(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="pdf"
    )
    invoice = models.OneToOneField(
        "sales.Invoice", null=True, blank=True, on_delete=models.CASCADE, related_name="pdf"
    )
    credit_note = models.OneToOneField(
        "sales.CreditNote", null=True, blank=True, on_delete=models.CASCADE, related_name="pdf"
    )
    content_version = models.PositiveIntegerField()
    settings_hash = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    pdf = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    render_ms = models.PositiveIntegerField(default=0)
    rendered_on = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "document PDF"
        constraints = [
            models.CheckConstraint(condition=_exactly_one_document(), name="documentpdf_one_document"),
        ]

    def __str__(self) -> str:
        return f"PDF of {self.document} (v{self.content_version})"

    @property
    def document(self):  # Quote | SalesOrder | Invoice | CreditNote
        return next(getattr(self, f) for f in DOCUMENT_FIELDS.values() if getattr(self, f"{f}_id"))


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DeliveryPurpose(models.TextChoices):
    DOCUMENT = "document", "Document"  # Send by Email
    REMINDER = "reminder", "Payment reminder"  # SPEC §10: an overdue invoice, its PDF attached


class DeliveryBatch(models.Model):
    """One bulk Send by Email from a list: the documents ticked, the subject and message templates
    they were sent with, and the ones skipped with the reason. Its deliveries say how far it got."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20)  # salesapp.documents.kinds: "invoice" | "creditnote"
    subject_template = models.CharField(max_length=300)
    body_template = models.TextField(blank=True)
    requested = models.PositiveIntegerField(default=0)  # documents selected
    # [{"id": "<uuid>", "number": "INV-00012" or "", "reason": "…"}] — nothing queued for these
    skipped = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "delivery batches"
        ordering = ["-created_on"]

    def __str__(self) -> str:
        return f"Send by Email of {self.requested} {self.kind} documents ({self.created_on:%Y-%m-%d %H:%M})"


class Delivery(models.Model):
    """One Send by Email of a document (or a payment reminder of an invoice): queued → sending → sent,
    or failed with the reason.

    `attempt_token` is written (and committed) before every SMTP call: a task only sends while the
    row still carries its own token, so two copies of the task can never both send.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quote = models.ForeignKey(
        "sales.Quote", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    sales_order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    invoice = models.ForeignKey(
        "sales.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    credit_note = models.ForeignKey(
        "sales.CreditNote", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    purpose = models.CharField(
        max_length=10, choices=DeliveryPurpose.choices, default=DeliveryPurpose.DOCUMENT
    )
    # Automatic payment reminders only: the reminder period (days past the first reminder day ÷ the
    # interval) it was sent for. Unique per invoice, so two beat runs can't both send one.
    reminder_period = models.PositiveIntegerField(null=True, blank=True)
    to = models.TextField("to")
    cc = models.TextField("cc", blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # Attempts that found the row still `sending` (their predecessor's worker died): capped, so a
    # message that kills its worker every time doesn't come back forever (reject_on_worker_lost).
    takeovers = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    attempt_token = models.UUIDField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when it was queued by a bulk Send by Email from a list.
    batch = models.ForeignKey(
        DeliveryBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    created_on = models.DateTimeField(auto_now_add=True)
    modified_on = models.DateTimeField(auto_now=True)

    # Not stored: set by services that return an existing delivery for a replayed one-time token.
    queued_now: bool = True

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_on"]
        indexes = [
            models.Index(fields=["quote", "-created_on"], name="delivery_quote_idx"),
            models.Index(fields=["sales_order", "-created_on"], name="delivery_sales_order_idx"),
            models.Index(fields=["invoice", "-created_on"], name="delivery_invoice_idx"),
            models.Index(fields=["credit_note", "-created_on"], name="delivery_credit_note_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"),
            models.CheckConstraint(condition=_exactly_one_document(), name="delivery_one_document"),
            models.CheckConstraint(
                condition=Q(purpose__in=DeliveryPurpose.values)
                & (Q(purpose=DeliveryPurpose.DOCUMENT) | Q(invoice__isnull=False))
                & (Q(reminder_period__isnull=True) | Q(purpose=DeliveryPurpose.REMINDER)),
                name="delivery_purpose_valid",
            ),
            models.UniqueConstraint(
                fields=["invoice", "reminder_period"],
                condition=Q(reminder_period__isnull=False),
                name="delivery_one_reminder_per_period",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.state})"

    @property
    def document(self):  # Quote | SalesOrder | Invoice | CreditNote
        return next(getattr(self, f) for f in DOCUMENT_FIELDS.values() if getattr(self, f"{f}_id"))

    @property
    def is_reminder(self) -> bool:
        return self.purpose == DeliveryPurpose.REMINDER

    @property
    def recipients(self) -> list[str]:
        return split_addresses(self.to)

    @property
    def cc_list(self) -> list[str]:
        return split_addresses(self.cc)

    @property
    def is_in_flight(self) -> bool:
        return self.state in (DeliveryState.QUEUED, DeliveryState.SENDING)

    @property
    def can_retry(self) -> bool:
        return self.state == DeliveryState.FAILED


def split_addresses(value: str) -> list[str]:
    """'a@x, b@y; c@z' → ['a@x', 'b@y', 'c@z'] (commas, semicolons or new lines)."""
    for sep in (";", "\n", "\r"):
        value = value.replace(sep, ",")
    return [part.strip() for part in value.split(",") if part.strip()]
