"""What each opportunity and invoice adds to the dashboard's summary table (salesapp.reporting).

The service layer reports every write of a document's state, status, owner, dates or totals here,
in its own transaction: `common.lock` remembers the figure a document had, `common.touch` (the one
place those columns are saved) applies "minus before, plus after", `new_document` adds a new one
and `document_delete` takes one away. `rebuild` recomputes the table from the documents with the
same `figure_of`, so the two can't disagree on what a document is worth.
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
from .states import OpportunityState

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
    Invoice: ("invoice_date", "owner_id", "state", "status", "total_amount_base", "balance_due_base"),
}
TRACKED = tuple(FIELDS)


def month_of(day: Any) -> int:
    """2026-05-17 → 202605; no date → 0."""
    return day.year * 100 + day.month if day else 0


def _base_places() -> int:
    base = OrganizationSettings.load().default_currency
    return base.precision if base is not None else 2


def figure_of(model: type[PricedDocument], row: Mapping[str, Any], places: Callable[[], int]) -> Figure:
    """One document's figure, from its column values (`places`: the base currency's, read lazily)."""
    revenue = 0
    if model is Opportunity and row["state"] == OpportunityState.WON and row["actual_revenue"] is not None:
        revenue = units(pricing.to_base(row["actual_revenue"], row["exchange_rate"], places()))
    return Figure(
        kind=model.kind,
        owner=row["owner_id"] or 0,
        state=row["state"],
        status=row["status"],
        month=month_of(row[FIELDS[model][0]]),
        total_base=units(row["total_amount_base"]),
        estimated_base=units(row.get("estimated_value_base") or 0),
        revenue_base=revenue,
        balance_base=units(row.get("balance_due_base") or 0),
    )


def _of(document: PricedDocument) -> Figure:
    model = type(document)
    return figure_of(model, {name: getattr(document, name) for name in FIELDS[model]}, _base_places)


def _stored(document: PricedDocument) -> Figure | None:
    model = type(document)
    row = model._default_manager.filter(pk=document.pk).values(*FIELDS[model]).first()
    return figure_of(model, row, _base_places) if row is not None else None


def remember(document: PricedDocument) -> None:
    """Note the figure of a document as read from the database (by `lock`, under its row lock)."""
    if isinstance(document, TRACKED):
        document.__dict__["_figure"] = _of(document)


def before_write(document: PricedDocument) -> Figure | None:
    """The figure the summary holds for this document now (read again if it wasn't remembered)."""
    if not isinstance(document, TRACKED):
        return None
    return document.__dict__.get("_figure") or _stored(document)


def written(document: PricedDocument, before: Figure | None) -> None:
    """The document's columns were saved: move its figure from `before` to what it is now."""
    if isinstance(document, TRACKED):
        after = _of(document)
        store.change(before, after)
        document.__dict__["_figure"] = after


def inserted(document: PricedDocument) -> None:
    written(document, None)


def deleted(document: PricedDocument) -> None:
    if isinstance(document, TRACKED):
        store.change(before_write(document), None)


def all_figures() -> Iterator[Figure]:
    """Every tracked document's figure, read in chunks (a million invoices don't sit in memory)."""
    places = cache(_base_places)
    for model, names in FIELDS.items():
        for row in model._default_manager.order_by().values(*names).iterator(chunk_size=5000):
            yield figure_of(model, row, places)


def rebuild() -> int:
    """Recompute the summary from scratch (`manage.py reporting_rebuild`); returns its row count."""
    return store.replace_all(all_figures())
