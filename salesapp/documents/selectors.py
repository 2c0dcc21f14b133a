"""Reads of the documents app."""

from django.db.models import QuerySet

from .models import Delivery, DeliveryState

RECENT = 10


def invoice_deliveries(invoice_id: object, *, limit: int = RECENT) -> list[Delivery]:
    qs: QuerySet[Delivery] = Delivery.objects.filter(invoice_id=invoice_id).order_by("-created_on")
    return list(qs[:limit])


def any_in_flight(deliveries: list[Delivery]) -> bool:
    return any(d.state in (DeliveryState.QUEUED, DeliveryState.SENDING) for d in deliveries)
