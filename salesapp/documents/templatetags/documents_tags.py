"""{% invoice_deliveries invoice as deliveries %}: lets the invoice page include
documents/_deliveries.html with nothing but `invoice` in its context."""

from typing import Any

from django import template

from salesapp.documents.selectors import any_in_flight, invoice_deliveries

register = template.Library()


@register.simple_tag
def deliveries_of(invoice: Any) -> dict[str, Any]:
    items = invoice_deliveries(invoice.pk)
    return {"items": items, "polling": any_in_flight(items)}
