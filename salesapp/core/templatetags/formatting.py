"""{% load formatting %}: the template side of salesapp.core.formatting, and the only number and date
filters templates use.

    {{ doc.total_amount|amount:doc.currency }}     1,234.57 (the currency's precision, no symbol)
    {{ line.price_per_unit|amount:price_places }}  an int is the number of decimals itself
    {{ invoice.total_amount|money:invoice.currency }}  $1,234.57 (with the currency's symbol)
    {{ line.quantity|quantity }}                   2.5
    {{ doc.due_date|day }}                         Jan 5, 2026
    {{ event.at|moment }}                          Jan 5, 2026 3:04 PM

They return plain text, so autoescaping still applies (a currency symbol is typed by a manager).
Named `day` and `moment`, not `date`: Django's built-in `date` filter stays what it is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from salesapp.core import formatting as fmt

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _places(currency: Any) -> int:
    return currency if isinstance(currency, int) else currency.precision


@register.filter
def amount(value: Any, currency: Any) -> str:
    """`currency`: a Currency (its precision) or an int (the decimals)."""
    return fmt.amount(_decimal(value), _places(currency))


@register.filter
def money(value: Any, currency: Any) -> str:
    return fmt.money(_decimal(value), currency.precision, symbol=currency.symbol)


@register.filter
def quantity(value: Any) -> str:
    return fmt.quantity(_decimal(value))


@register.filter
def day(value: datetime.date | None) -> str:
    return fmt.day(value or None)


@register.filter
def moment(value: datetime.datetime | None) -> str:
    return fmt.moment(value or None)
