"""Reads of the documents app."""

from typing import Any

from django.db.models import QuerySet

from .kinds import kind_of
from .models import Delivery, DeliveryState

RECENT = 10


def document_deliveries(document: Any, *, limit: int = RECENT) -> list[Delivery]:
    """A document's latest deliveries (Send by Email and, for invoices, payment reminders)."""
    qs: QuerySet[Delivery] = Delivery.objects.filter(**kind_of(document).rows_of(document)).order_by(
        "-created_on"
    )
    return list(qs[:limit])


def invoice_deliveries(invoice_id: object, *, limit: int = RECENT) -> list[Delivery]:
    qs: QuerySet[Delivery] = Delivery.objects.filter(invoice_id=invoice_id).order_by("-created_on")
    return list(qs[:limit])


def any_in_flight(deliveries: list[Delivery]) -> bool:
    return any(d.state in (DeliveryState.QUEUED, DeliveryState.SENDING) for d in deliveries)
