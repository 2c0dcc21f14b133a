"""Does the hand-built products grid still pay? The same rows from `grid_rows` (Python, escaped) and
from a Django template that writes the same markup, side by side in one run, no database.

    .venv/bin/python bench/grid.py [--lines 100] [--runs 20]

Prints the median ms of each for a grid of `lines` lines and the list table body (`rows_html` against
a template loop over 50 rows × 8 cells), the ratio, and the load average. Keep a hand-built renderer only
while its ratio is well below 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

GRID_TEMPLATE = """{% load formatting %}{% for line in lines %}<tr data-testid="line-row" data-line-id="{{ line.pk }}"\
{% if editing and editing.pk == line.pk %} class="table-active"{% endif %}><td data-testid="line-product">\
{{ line.product_name }}{% if line.is_write_in %} <span class="badge text-bg-light border">Write-In</span>\
{% elif line.is_price_overridden %} <span class="badge text-bg-light border">Override Price</span>{% endif %}\
{% if line.description %}<div class="small text-muted">{{ line.description }}</div>{% endif %}</td>\
<td data-testid="line-unit">{{ line.unit_name|default:"" }}</td>\
<td class="text-end" data-testid="line-price_per_unit">{{ line.price_per_unit|amount:price_places }}</td>\
<td class="text-end" data-testid="line-quantity">{{ line.quantity|quantity }}</td>\
<td class="text-end" data-testid="line-volume_discount">{{ line.volume_discount|amount:price_places }}</td>\
<td class="text-end" data-testid="line-manual_discount">{{ line.manual_discount|amount:money_places }}</td>\
<td class="text-end" data-testid="line-amount">{{ line.amount|amount:money_places }}</td>\
<td class="text-end" data-testid="line-tax">{{ line.tax|amount:money_places }}</td>\
<td class="text-end" data-testid="line-extended_amount">{{ line.extended_amount|amount:money_places }}</td>\
<td class="text-end text-nowrap"><a class="btn btn-outline-secondary btn-sm" href="/x/{{ line.pk }}/" \
hx-get="/x/{{ line.pk }}/" hx-target="#products" hx-swap="outerHTML">Edit</a> <form method="post" \
action="/x/{{ line.pk }}/delete/" class="d-inline" hx-post="/x/{{ line.pk }}/delete/" hx-target="#products" \
hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf }}">\
<input type="hidden" name="row_version" value="{{ row_version }}"><button type="submit" \
class="btn btn-outline-danger btn-sm" aria-label="Delete {{ line.product_name }}">Delete</button></form></td></tr>
{% endfor %}"""

LIST_TEMPLATE = """{% for row in rows %}<tr data-testid="list-row">{% for cell in row.cells %}\
{% if cell.numeric %}<td class="text-end text-nowrap">{% else %}<td>{% endif %}\
{% if cell.link %}<a href="{{ row.url }}">{{ cell.value|default_if_none:"" }}</a>\
{% else %}{{ cell.value|default_if_none:"" }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}"""


def timed(func, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesapp.settings")
    import django

    django.setup()
    from django.template import Context, Engine, engines

    from salesapp.core.views.lists import rows_html
    from salesapp.sales.selectors import GridLine
    from salesapp.sales.views.grid import grid_rows

    lines = [
        GridLine(
            uuid.uuid4(),
            "" if n % 5 else f"Installation <{n}>",
            n % 3 == 0,
            Decimal("1234.5600"),
            Decimal(n % 7 + 1),
            Decimal("12.3400"),
            Decimal("5.0000"),
            Decimal("99.1000"),
            Decimal("8641.9200"),
            Decimal("9000.0200"),
            "Note & more" if n % 4 == 0 else "",
            None if n % 5 == 0 else uuid.uuid4(),
            None if n % 5 == 0 else f'Product {n} "x"',
            None if n % 5 == 0 else "Each",
            0,
        )
        for n in range(args.lines)
    ]
    placeholder = "00000000-0000-0000-0000-000000000000"

    def python_grid() -> str:
        return grid_rows(
            lines,
            editable=True,
            editing=None,
            money_places=2,
            price_places=2,
            edit_url=f"/x/{placeholder}/",
            delete_url=f"/x/{placeholder}/delete/",
            placeholder=placeholder,
            csrf_token="token",
            row_version=7,
        )

    engine = engines["django"].engine
    grid_template = engine.from_string(GRID_TEMPLATE)
    context = {
        "lines": lines,
        "editing": None,
        "money_places": 2,
        "price_places": 2,
        "csrf": "token",
        "row_version": 7,
    }

    def template_grid() -> str:
        return grid_template.render(Context(context))

    rows = [
        {
            "url": f"/invoices/{uuid.uuid4()}/",
            "cells": [
                {"value": f"INV-{n:05d}" if c == 0 else f"Value {c} <{n}>", "link": c == 0, "numeric": c > 5}
                for c in range(8)
            ],
        }
        for n in range(50)
    ]
    list_template = Engine().from_string(LIST_TEMPLATE)

    def python_list() -> str:
        return rows_html(rows)

    def template_list() -> str:
        return list_template.render(Context({"rows": rows}))

    for python, template in ((python_grid, template_grid), (python_list, template_list)):
        same = [line.strip() for line in python().splitlines()] == [
            line.strip() for line in template().splitlines() if line.strip()
        ]
        print(f"{python.__name__} and {template.__name__} write the same markup: {same}")
    results = [
        (
            f"products grid, {args.lines} lines",
            timed(python_grid, args.runs),
            timed(template_grid, args.runs),
        ),
        ("list body, 50 rows × 8 cells", timed(python_list, args.runs), timed(template_list, args.runs)),
    ]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'renderer':34} {'python ms':>10} {'template ms':>12} {'ratio':>7}")
    for name, python, template in results:
        print(f"{name:34} {python:10.2f} {template:12.2f} {python / template:7.2f}")


if __name__ == "__main__":
    main()
