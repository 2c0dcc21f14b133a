"""The rows of the products grid, formatted in Python.

The same markup as a template loop, but a 100-line invoice renders in a few milliseconds instead of
~50 ms (the template engine costs about half a millisecond a row). Every text is escaped.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from salesapp.core import formatting as fmt
from salesapp.pricing import PricingErrorCode

MONEY_CELLS = ("manual_discount", "amount", "tax", "extended_amount")
WRITE_IN = ' <span class="badge text-bg-light border">Write-In</span>'
OVERRIDDEN = ' <span class="badge text-bg-light border">Override Price</span>'


def _row(line: Any, *, active: bool, money_places: int, price_places: int, locale: str, actions: str) -> str:
    name = escape(line.product_name)
    badge = WRITE_IN if line.is_write_in else OVERRIDDEN if line.is_price_overridden else ""
    note = f'<div class="small text-muted">{escape(line.description)}</div>' if line.description else ""
    if line.pricing_error_code:
        note += (
            '<div class="small text-danger" data-testid="line-pricing-error">Pricing error: '
            f"{escape(PricingErrorCode(line.pricing_error_code).description)}</div>"
        )
    numbers = [
        ("price_per_unit", fmt.amount(line.price_per_unit, price_places, locale=locale)),
        ("quantity", fmt.quantity(line.quantity, locale=locale)),
        ("volume_discount", fmt.amount(line.volume_discount, price_places, locale=locale)),
        *((field, fmt.amount(getattr(line, field), money_places, locale=locale)) for field in MONEY_CELLS),
    ]
    vat = ""
    if line.vat_category:
        rate = f" {fmt.quantity(line.tax_rate, locale=locale)} %" if line.tax_rate is not None else ""
        vat = f'<div class="small text-muted" data-testid="line-vat">VAT {escape(line.vat_category)}{escape(rate)}</div>'
    cells = "".join(
        f'<td class="text-end" data-testid="line-{field}">{escape(text)}{vat if field == "tax" else ""}</td>'
        for field, text in numbers
    )
    unit = escape(line.unit_name or "")
    css = ' class="table-active"' if active else ""
    return (
        f'<tr data-testid="line-row" data-line-id="{line.pk}"{css}><td data-testid="line-product">{name}{badge}'
        f'{note}</td><td data-testid="line-unit">{unit}</td>{cells}{actions}</tr>'
    )


def _actions(line: Any, edit: str, delete: str, csrf_token: str, row_version: int) -> str:
    return (
        f'<td class="text-end text-nowrap"><a class="btn btn-outline-secondary btn-sm" href="{edit}" '
        f'hx-get="{edit}" hx-target="#products" hx-swap="outerHTML">Edit</a> '
        f'<form method="post" action="{delete}" class="d-inline" hx-post="{delete}" hx-target="#products" '
        f'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        f'<input type="hidden" name="row_version" value="{int(row_version)}">'
        f'<button type="submit" class="btn btn-outline-danger btn-sm" aria-label="Delete {escape(line.product_name)}">'
        f"Delete</button></form></td>"
    )


def grid_rows(
    lines: list[Any],
    *,
    editable: bool,
    editing: Any,
    money_places: int,
    price_places: int,
    edit_url: str,
    delete_url: str,
    placeholder: str,
    csrf_token: str,
    row_version: int,
) -> SafeString:
    """`edit_url` / `delete_url` (reversed, so URL-safe) contain `placeholder` where the line's id goes."""
    rows = []
    locale = fmt.default_locale()
    for line in lines:
        pk = str(line.pk)
        actions = (
            _actions(
                line,
                escape(edit_url.replace(placeholder, pk)),
                escape(delete_url.replace(placeholder, pk)),
                csrf_token,
                row_version,
            )
            if editable
            else ""
        )
        active = editing is not None and editing.pk == line.pk
        rows.append(
            _row(
                line,
                active=active,
                money_places=money_places,
                price_places=price_places,
                locale=locale,
                actions=actions,
            )
        )
    return mark_safe("\n".join(rows))  # every text above is escaped
