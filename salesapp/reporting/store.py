"""Writing the summary table: add a document's figures, take them away, or replace them all.

Callers (salesapp.sales.figures) describe one document as a `Figure`; a change is "minus the figure
it had, plus the one it has now", applied by one upsert per key inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import connection, transaction

from .models import DocumentFigure

PLACES = 4  # the money columns' decimal places: amounts are stored as integers of 10⁻⁴
KEY = ("kind", "owner", "state", "status", "month")
AMOUNTS = ("count", "total_base", "estimated_base", "revenue_base", "balance_base")


def units(amount: Decimal) -> int:
    """12.3456 → 123456: exact, a money column has 4 places."""
    return int(Decimal(amount).scaleb(PLACES).to_integral_value())


def money(value: int | None) -> Decimal:
    return Decimal(value or 0).scaleb(-PLACES)


@dataclass(frozen=True, slots=True)
class Figure:
    """What one document adds to its row of the summary (its key, a count of 1, its amounts)."""

    kind: str
    owner: int
    state: int
    status: int
    month: int
    count: int = 1
    total_base: int = 0
    estimated_base: int = 0
    revenue_base: int = 0
    balance_base: int = 0

    @property
    def key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in KEY)

    def amounts(self, sign: int = 1) -> tuple[int, ...]:
        return tuple(sign * getattr(self, name) for name in AMOUNTS)


assert tuple(f.name for f in fields(Figure)) == KEY + AMOUNTS


_TABLE = DocumentFigure._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} ({', '.join(KEY + AMOUNTS)}) VALUES ({', '.join(['%s'] * len(KEY + AMOUNTS))}) "
    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
    + ", ".join(f"{name} = {_TABLE}.{name} + excluded.{name}" for name in AMOUNTS)
)


def change(before: Iterable[Figure], after: Iterable[Figure]) -> None:
    """A document went from the figures `before` to those `after` (none: it didn't exist / no longer
    exists; a document may count in several rows, an open invoice also among the receivables).

    One statement per key touched, none when nothing the summary holds changed. The upsert is the
    same SQL on SQLite and PostgreSQL and takes the row's lock, so concurrent changes add up.
    """
    deltas: dict[tuple[object, ...], list[int]] = {}
    for figures, sign in ((before, -1), (after, 1)):
        for figure in figures:
            sums = deltas.setdefault(figure.key, [0] * len(AMOUNTS))
            for i, value in enumerate(figure.amounts(sign)):
                sums[i] += value
    # in key order: two transactions moving documents between the same rows lock them in one order
    # (no deadlock)
    rows = [(*key, *sums) for key, sums in sorted(deltas.items()) if any(sums)]
    if not rows:
        return
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(_UPSERT, row)


def summed(figures: Iterable[Figure]) -> dict[tuple[object, ...], tuple[int, ...]]:
    """The rows the table should hold for these documents, as `snapshot` shows them."""
    sums: dict[tuple[object, ...], list[int]] = {}
    for figure in figures:
        row = sums.setdefault(figure.key, [0] * len(AMOUNTS))
        for i, value in enumerate(figure.amounts()):
            row[i] += value
    return {key: tuple(row) for key, row in sums.items() if any(row)}


@transaction.atomic
def replace_all(figures: Iterable[Figure]) -> int:
    """Recompute the table from scratch: the sum of every document's figure. Returns the row count."""
    rows = summed(figures)
    DocumentFigure.objects.all().delete()
    DocumentFigure.objects.bulk_create(
        [DocumentFigure(**dict(zip(KEY + AMOUNTS, (*key, *row), strict=True))) for key, row in rows.items()],
        batch_size=1000,
    )
    return len(rows)


def snapshot() -> dict[tuple[object, ...], tuple[int, ...]]:
    """The table as {key: amounts}, rows that sum to nothing left out (for comparisons)."""
    return {
        row[: len(KEY)]: row[len(KEY) :]
        for row in DocumentFigure.objects.values_list(*KEY, *AMOUNTS)
        if any(row[len(KEY) :])
    }
