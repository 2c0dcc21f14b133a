"""What each opportunity and invoice adds to the dashboard's summary table (salesapp.reporting).

The service layer reports every write of a document's state, status, owner, dates or totals here,
in its own transaction: `common.lock` remembers the figure a document had, `common.touch` (the one
place those columns are saved) applies "minus before, plus after", `new_document` adds a new one
and `document_delete` takes one away. `rebuild` recomputes the table from the documents with the
same `figures_of`, so the two can't disagree on what a document is worth.

An open invoice (SPEC §10: balance due, not canceled) counts twice: among the invoices of its month,
and among the receivables of its due date — the rows the aging chart and the open / overdue cards
sum, so a million invoices are never read to draw them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

from salesapp import pricing
from salesapp.core.models import OrganizationSettings
from salesapp.reporting import store
from salesapp.reporting.store import Figure, units

from .models import Invoice, Opportunity, PricedDocument
from .states import InvoiceState, OpportunityState

# The columns a figure is made of, per tracked model; the first date is the row's month.
FIELDS: dict[type[PricedDocument], tuple[str, ...]] = {
    Opportunity: (
        "actual_close_date",
        "owner_id",
        "state",
        "status",
        "total_amount_base",
        "estimated_value_base",
        "actual_revenue",
        "exchange_rate",
    ),
    Invoice: (
        "invoice_date",
        "owner_id",
        "state",
        "status",
        "total_amount_base",
        "balance_due_base",
        "balance_due",
        "due_date",
    ),
}
RECEIVABLE = "receivable"
TRACKED = tuple(FIELDS)


def month_of(day: Any) -> int:
    """2026-05-17 → 202605; no date → 0."""
    return day.year * 100 + day.month if day else 0


def day_of(day: Any) -> int:
    """2026-05-17 → 20260517; no date → 0 (a receivable's key: its due date)."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def is_open(row: Mapping[str, Any]) -> bool:
    """SPEC §10, as models.OPEN_INVOICE says it in SQL: something left to pay, and not canceled."""
    return row["balance_due"] > 0 and row["state"] != InvoiceState.CANCELED


def _base_places() -> int:
    base = OrganizationSettings.load().default_currency
    return base.precision if base is not None else 2


def figures_of(
    model: type[PricedDocument], row: Mapping[str, Any], places: Callable[[], int]
) -> tuple[Figure, ...]:
    """One document's figures, from its column values (`places`: the base currency's, read lazily)."""
    revenue = 0
    if model is Opportunity and row["state"] == OpportunityState.WON and row["actual_revenue"] is not None:
        revenue = units(pricing.to_base(row["actual_revenue"], row["exchange_rate"], places()))
    owner = row["owner_id"] or 0
    balance = units(row.get("balance_due_base") or 0)
    figure = Figure(
        kind=model.kind,
        owner=owner,
        state=row["state"],
        status=row["status"],
        month=month_of(row[FIELDS[model][0]]),
        total_base=units(row["total_amount_base"]),
        estimated_base=units(row.get("estimated_value_base") or 0),
        revenue_base=revenue,
        balance_base=balance,
    )
    if model is not Invoice or not is_open(row):
        return (figure,)
    # by owner and due date only: the aging and the cards don't split by status, and each row fewer
    # is one the dashboard doesn't add up
    receivable = Figure(
        kind=RECEIVABLE, owner=owner, state=0, status=0, month=day_of(row["due_date"]), balance_base=balance
    )
    return (figure, receivable)


def _of(document: PricedDocument) -> tuple[Figure, ...]:
    model = type(document)
    return figures_of(model, {name: getattr(document, name) for name in FIELDS[model]}, _base_places)


def _stored(document: PricedDocument) -> tuple[Figure, ...]:
    model = type(document)
    row = model._default_manager.filter(pk=document.pk).values(*FIELDS[model]).first()
    return figures_of(model, row, _base_places) if row is not None else ()


def remember(document: PricedDocument) -> None:
    """Note the figures of a document as read from the database (by `lock`, under its row lock)."""
    if isinstance(document, TRACKED):
        document.__dict__["_figures"] = _of(document)


def before_write(document: PricedDocument) -> tuple[Figure, ...]:
    """The figures the summary holds for this document now (read again if they weren't remembered)."""
    if not isinstance(document, TRACKED):
        return ()
    remembered = document.__dict__.get("_figures")
    return remembered if remembered is not None else _stored(document)


def written(document: PricedDocument, before: tuple[Figure, ...]) -> None:
    """The document's columns were saved: move its figures from `before` to what they are now."""
    if isinstance(document, TRACKED):
        after = _of(document)
        store.change(before, after)
        document.__dict__["_figures"] = after


def inserted(document: PricedDocument) -> None:
    written(document, ())


def deleted(document: PricedDocument) -> None:
    if isinstance(document, TRACKED):
        store.change(before_write(document), ())


def all_figures() -> Iterator[Figure]:
    """Every tracked document's figures, read in chunks (a million invoices don't sit in memory)."""
    places = cache(_base_places)
    for model, names in FIELDS.items():
        for row in model._default_manager.order_by().values(*names).iterator(chunk_size=5000):
            yield from figures_of(model, row, places)


def rebuild() -> int:
    """Recompute the summary from scratch (`manage.py reporting_rebuild`); returns its row count."""
    return store.replace_all(all_figures())
