"""{% deliveries_of document as deliveries %}: lets a record page include documents/_deliveries.html
with nothing but `invoice` (or `document`) in its context; {% document_urls document as urls %} gives
the URLs of its PDF, print view, Send by Email and deliveries."""

from typing import Any

from django import template

from salesapp.accounts.roles import has_role
from salesapp.core.views.records import new_form_token
from salesapp.documents.kinds import KINDS
from salesapp.documents.selectors import any_in_flight, document_deliveries
from salesapp.documents.views import document_urls as _document_urls

register = template.Library()


@register.simple_tag
def deliveries_of(document: Any) -> dict[str, Any]:
    items = document_deliveries(document)
    return {"items": items, "polling": any_in_flight(items)}


@register.filter
def has_pdf(record: Any) -> bool:
    """Whether the record is a document with a PDF and Send by Email (quote, order, invoice, credit note)."""
    return getattr(record, "kind", "") in KINDS


@register.simple_tag
def document_urls(document: Any) -> dict[str, str]:
    return _document_urls(document)


@register.simple_tag
def may_remind(invoice: Any, user: Any) -> bool:
    """Send Payment Reminder shows for a sales manager on an invoice whose lifecycle allows it now."""
    return bool(
        invoice is not None
        and getattr(invoice, "kind", "") == "invoice"
        and has_role(user, invoice.lifecycle.role("remind"), invoice)
        and invoice.can("remind")
    )


@register.simple_tag
def one_time_token() -> str:
    """A fresh one-time form token (a double click of the button it goes with acts once)."""
    return new_form_token()
