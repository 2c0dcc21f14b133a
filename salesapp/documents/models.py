"""Stored invoice PDFs and email deliveries (SPEC §8).

Both are rows, not Celery results: the state a user sees (and the guard that stops a second send)
lives in the database.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class InvoicePdf(models.Model):
    """The last PDF rendered for an invoice, reused while what it shows is unchanged.

    `fingerprint` is a hash of the exact HTML (and logo bytes) the PDF was made from: any change to
    the invoice, its lines, a product name or the organization settings changes it. `content_version`
    and `settings_hash` record what the invoice and the seller looked like, for people reading the row.
    """

    invoice = models.OneToOneField(
        "sales.Invoice", on_delete=models.CASCADE, primary_key=True, related_name="pdf"
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
        verbose_name = "invoice PDF"

    def __str__(self) -> str:
        return f"PDF of invoice {self.invoice_id} (v{self.content_version})"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One Send by Email of an invoice: queued → sending → sent, or failed with the reason.

    `attempt_token` is written (and committed) before every SMTP call: a task only sends while the
    row still carries its own token, so two copies of the task can never both send.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey("sales.Invoice", on_delete=models.PROTECT, related_name="deliveries")
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
    created_on = models.DateTimeField(auto_now_add=True)
    modified_on = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_on"]
        indexes = [models.Index(fields=["invoice", "-created_on"], name="delivery_invoice_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.state})"

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
