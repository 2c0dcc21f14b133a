"""What a timeline event says, in the users' words, from the details it stores.

A service records an event with its facts as data (the fields changed with their values before and
after, an amount, a balance) and a summary sentence formatted then (for the admin and the Web API).
The record page says it again when it is read (`views/timeline.py`), from the same sentences here,
with the reader's locale: field labels from `Labelled.field_label`, money in the document's
currency and dates by `core.formatting`, option sets by their labels.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from salesapp.core import formatting as fmt
from salesapp.sales.models import Labelled, PaymentMethod, PricedDocument, TimelineKind

EMPTY = "—"
Money = Callable[[Any], str]


def money_of(document: PricedDocument) -> Money:
    """Money in the document's currency: "$1,234.50" (a stored string or a Decimal)."""
    currency = document.currency

    def money(raw: Any) -> str:
        return fmt.money(Decimal(str(raw)), currency.precision, symbol=currency.symbol)

    return money


def payment_text(
    money: Money, *, amount: Any, method: Any, reference: str, balance_due: Any, **_: Any
) -> str:
    return (
        f"Payment of {money(amount)} received ({PaymentMethod(method).label}"
        + (f", {reference}" if reference else "")
        + f"); balance due {money(balance_due)}"
    )


def credited_text(money: Money, *, number: str, amount: Any, balance_due: Any, **_: Any) -> str:
    return f"Credit note {number} of {money(amount)} issued; balance due {money(balance_due)}"


def repriced_text(money: Money, *, reason: str, old_total: Any, new_total: Any, **_: Any) -> str:
    return f"Repriced ({reason}): total {money(old_total)} → {money(new_total)}"


# The kinds whose sentence is rebuilt from details when read (the others' summaries hold no amounts).
SENTENCES: dict[str, Callable[..., str]] = {
    TimelineKind.PAYMENT: payment_text,
    TimelineKind.CREDITED: credited_text,
    TimelineKind.REPRICED: repriced_text,
}


def display_value(document: PricedDocument, name: str, raw: Any, model: type[Labelled] | None = None) -> str:
    """A stored value of a field of the document (or of its lines: `model`) as the record page shows
    it: an option set's label, money in the document's currency, a date in the reader's format,
    Yes/No; "—" when empty."""
    model = model or type(document)
    if raw is None or raw == "":
        return EMPTY
    try:
        field = model._meta.get_field(name)  # type: ignore[attr-defined]
    except FieldDoesNotExist:
        return str(raw)  # "customer" (stored by name), or a field since removed
    if field.is_relation:
        return str(raw)  # stored as the related record's name at the time
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.BooleanField):
        return "Yes" if raw else "No"
    if isinstance(field, models.DecimalField):
        return money_of(document)(raw) if model.is_money(name) else fmt.quantity(Decimal(str(raw)))
    if isinstance(field, models.DateTimeField):
        return fmt.moment(datetime.datetime.fromisoformat(raw))
    if isinstance(field, models.DateField):
        return fmt.day(datetime.date.fromisoformat(raw))
    return str(raw)
