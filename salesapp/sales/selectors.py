"""Reads for the sales screens. Each page issues a fixed number of queries whatever its size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from salesapp.core import formatting as fmt
from salesapp.core.models import OrganizationSettings
from salesapp.reporting.models import DocumentFigure
from salesapp.reporting.store import money

from .figures import RECEIVABLE, day_of, month_of
from .models import (
    LINE_MODELS,
    OPEN_INVOICE,
    CreditNote,
    DocumentLine,
    Invoice,
    InvoiceDetail,
    Note,
    Opportunity,
    Payment,
    PricedDocument,
    Quote,
    SalesOrder,
    TimelineEvent,
)
from .states import OpportunityState

TIMELINE_ROWS = 50

LIST_RELATED = ("owner", "customer_account", "customer_contact", "currency")


LIST_FIELDS = (
    "id",
    "name",
    "state",
    "status",
    "total_amount",
    "estimated_value",
    "created_on",
    "owner__username",
    "customer_account__name",
    "customer_contact__first_name",
    "customer_contact__last_name",
    "currency__code",
    "currency__precision",
)
NUMBER_FIELDS = {
    "Quote": ("quote_number", "revision_number"),
    "SalesOrder": ("order_number",),
    "Invoice": ("invoice_number", "invoice_date", "due_date", "amount_paid", "balance_due"),
    "Opportunity": ("estimated_close_date",),
}


def document_list(model: type[PricedDocument]) -> QuerySet:
    """The list columns only: documents are wide (addresses, terms), and a list shows a dozen fields."""
    fields = [f for f in LIST_FIELDS if f != "estimated_value" or model is Opportunity]
    return model.objects.select_related(*LIST_RELATED).only(*fields, *NUMBER_FIELDS[model.__name__])


def document_detail(model: type[PricedDocument]) -> QuerySet:
    related = [
        *LIST_RELATED,
        "contact",
        "price_list",
        "price_list__currency",
        "customer_account__primary_contact",
    ]
    if model is not Opportunity:
        related.append("opportunity")
    if model in (SalesOrder, Invoice):
        related.append("quote")
    if model is Invoice:
        related.append("sales_order")
    if model is Quote:
        related.append("revised_from")
    return model.objects.select_related(*related)


@dataclass(frozen=True, slots=True)
class GridLine:
    """One row of the products grid: plain values, not line + product + unit model instances
    (a 100-line page would build 300 of them)."""

    pk: Any
    write_in_name: str
    is_price_overridden: bool
    price_per_unit: Decimal
    quantity: Decimal
    volume_discount: Decimal
    manual_discount: Decimal
    tax: Decimal
    amount: Decimal
    extended_amount: Decimal
    description: str
    product_id: Any
    catalog_name: str | None
    unit_name: str | None
    pricing_error_code: int
    vat_category: str
    tax_rate: Decimal | None

    @property
    def product_name(self) -> str:
        return self.catalog_name if self.product_id else self.write_in_name

    @property
    def is_write_in(self) -> bool:
        return self.product_id is None


GRID_COLUMNS = (
    "pk",
    "write_in_name",
    "is_price_overridden",
    "price_per_unit",
    "quantity",
    "volume_discount",
    "manual_discount",
    "tax",
    "amount",
    "extended_amount",
    "description",
    "product_id",
    "product__name",
    "unit__name",
    "pricing_error_code",
    "vat_category",
    "tax_rate",
)


def document_lines(document: PricedDocument) -> list[GridLine]:
    """The grid's lines with the names of their product and unit, in one query."""
    model = LINE_MODELS[type(document)]
    rows = (
        model.objects.filter(**{model.parent_field: document})
        .order_by("sequence", "created_on")
        .values_list(*GRID_COLUMNS)
    )
    return [GridLine(*row) for row in rows]


def document_line(document: PricedDocument, line_pk: Any) -> DocumentLine | None:
    model = LINE_MODELS[type(document)]
    return (
        model.objects.filter(**{model.parent_field: document}, pk=line_pk)
        .select_related("product", "unit")
        .first()
    )


def timeline(document: PricedDocument) -> list[TimelineEvent]:
    return list(
        TimelineEvent.objects.filter(document_type=document.kind, document_id=document.pk)
        .select_related("actor")
        .only("at", "kind", "summary", "details", "actor__username")
        .order_by("-at")[:TIMELINE_ROWS]
    )


def notes(document: PricedDocument) -> list[Note]:
    """The record's newest notes, with their authors: one query."""
    return list(
        Note.objects.filter(document_type=document.kind, document_id=document.pk)
        .select_related("owner")
        .order_by("-at")[:TIMELINE_ROWS]
    )


def related_documents(document: PricedDocument) -> dict[str, list[Any]]:
    """Documents made from this one (orders of a quote, invoices of an order): 1–2 queries."""
    out: dict[str, list[Any]] = {}
    if isinstance(document, Quote):
        out["orders"] = list(document.orders.only("id", "order_number", "name")[:20])
        out["invoices"] = list(document.invoices.only("id", "invoice_number", "name")[:20])
    elif isinstance(document, SalesOrder):
        out["invoices"] = list(document.invoices.only("id", "invoice_number", "name")[:20])
    return out


# --- money on an invoice: its payments and credit notes, one query each whatever their number ----


def invoice_payments(invoice: Invoice) -> list[Payment]:
    return list(
        Payment.objects.filter(invoice=invoice)
        .select_related("owner")
        .only("id", "amount", "paid_on", "method", "reference", "owner__username")
        .order_by("paid_on", "created_on")
    )


def invoice_credit_notes(invoice: Invoice) -> list[CreditNote]:
    return list(
        CreditNote.objects.filter(invoice=invoice)
        .only("id", "credit_note_number", "credit_date", "total_amount", "name")
        .order_by("credit_date", "created_on")
    )


def _plain(value: Decimal) -> Decimal:
    """10.00000 → 10, 2.50000 → 2.5 (never 1E+1): a quantity as an input shows it."""
    exact = value.normalize()
    return exact.quantize(Decimal(1)) if exact.as_tuple().exponent > 0 else exact  # type: ignore[operator]


def creditable_lines(invoice: Invoice) -> list[dict[str, Any]]:
    """The invoice's lines with the quantity still to credit (invoiced − credited so far), in one
    query; fully credited lines are left out. For the Create Credit Note dialog."""
    rows = (
        InvoiceDetail.objects.filter(invoice=invoice)
        .annotate(credited=Coalesce(Sum("credits__quantity"), Decimal(0)))
        .order_by("sequence", "created_on")
        .values_list("pk", "product__name", "write_in_name", "product_id", "quantity", "credited")
    )
    out = []
    for pk, catalog_name, write_in_name, product_id, quantity, credited in rows:
        remaining = quantity - Decimal(credited)
        if remaining <= 0:
            continue
        out.append(
            {
                "pk": pk,
                "product_name": catalog_name if product_id else write_in_name,
                "quantity": quantity,
                "remaining": _plain(remaining),
                "quantity_shown": fmt.quantity(quantity),
                "remaining_shown": fmt.quantity(remaining),
            }
        )
    return out


# --- the home dashboard: a fixed number of queries whatever the number of records ---------------

DASHBOARD_ROWS = 8


def _per_currency(qs: Any, **subsets: Q) -> list[dict[str, Any]]:
    """One query: count and total per currency of `qs`, and of each named subset of it."""
    # count(currency_id), not count(id): with the invoice_open_due_idx index the query reads the index only
    aggregates: dict[str, Any] = {"count": Count("currency"), "total": Sum("total_amount")}
    for name, cond in subsets.items():
        aggregates[f"{name}_count"] = Count("currency", filter=cond)
        aggregates[f"{name}_total"] = Sum("total_amount", filter=cond)
    return list(
        qs.order_by()
        .values("currency__code", "currency__precision")
        .annotate(**aggregates)
        .order_by("currency__code")
    )


def _summary(rows: list[dict[str, Any]], prefix: str = "") -> dict[str, Any]:
    """Amounts in different currencies never add up: one total per currency.

    Display totals only: SQLite sums decimals as floats, so the template rounds them back to the
    currency's precision (`places`) when it formats them; nothing exact is derived from them.
    """
    totals = [
        {
            "currency": r["currency__code"],
            "places": r["currency__precision"],
            "count": r[f"{prefix}count"],
            "total": Decimal(str(r[f"{prefix}total"] or 0)),
        }
        for r in rows
        if r[f"{prefix}count"]
    ]
    return {"count": sum(t["count"] for t in totals), "totals": totals}


def open_invoices() -> Q:
    """SPEC §10: an invoice is open while something is left to pay on it (Active or Paid · Partial)."""
    return OPEN_INVOICE


def overdue_invoices(today: Any) -> Q:
    """SPEC §10: overdue is derived, never stored: open and past its due date."""
    return open_invoices() & Q(due_date__lt=today)


def base_currency() -> tuple[str, int]:
    """The base currency's code and precision ("", 2 before one is set)."""
    base = OrganizationSettings.load().default_currency
    return (base.code, base.precision) if base else ("", 2)


def first_rows(qs: Any) -> list[Any]:
    """The first rows of a sorted list queryset, in the list's order: ids from the table alone, then
    those rows. Without the list's pk tie-breaker (ties may come in another order than on its page):
    SQLite then walks the sort column's index, or sorts the open invoices from invoice_open_due_idx
    without reading each one's row (5 ms instead of 40 on 6,500 open invoices)."""
    order = [name for name in qs.query.order_by if name not in ("pk", "-pk")]
    ids = list(qs.order_by(*order).values_list("pk", flat=True)[:DASHBOARD_ROWS])
    rows = qs.model._default_manager.select_related(*LIST_RELATED).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


# --- receivables aging: the open invoices by due date, from the summary (kind "receivable") ------

# (key, label, fewest days overdue, most days overdue); None: no bound. Not yet due includes the
# invoices without a due date.
AGING_BUCKETS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("current", "Not yet due", None, 0),
    ("1-30", "1–30 days", 1, 30),
    ("31-60", "31–60 days", 31, 60),
    ("61-90", "61–90 days", 61, 90),
    ("90+", "Over 90 days", 91, None),
)
OVERDUE_BUCKETS = tuple(key for key, _label, low, _high in AGING_BUCKETS if low is not None)


def _due_in(key: str, today: datetime.date, field: str = "due_date", day: Any = None) -> Q | None:
    """The due dates of aging bucket `key` (None if there is no such bucket) as a condition on `field`,
    a date column, or with `day` (date → stored value, 0 for none) a column that encodes them."""
    encode = day or (lambda value: value)
    for name, _label, low, high in AGING_BUCKETS:
        if name != key:
            continue
        cond = Q()
        if high is not None:  # due at the earliest `high` days ago
            cond &= Q(**{f"{field}__gte": encode(today - datetime.timedelta(days=high))})
        no_date = Q(**{f"{field}__isnull": True}) if day is None else Q(**{field: 0})
        if low is not None:  # due at the latest `low` days ago (so it has a due date)
            return cond & Q(**{f"{field}__lte": encode(today - datetime.timedelta(days=low))}) & ~no_date
        return cond | no_date  # not yet due, or no due date
    return None


def aging_bucket(key: str, today: datetime.date) -> Q | None:
    """The open invoices `key` days overdue (the invoice list's `?aging=` filter); None if unknown."""
    due = _due_in(key, today)
    return open_invoices() & due if due is not None else None


def receivables_aging(today: datetime.date, owner: Any = None) -> list[dict[str, Any]]:
    """Count and balance due (base) of the open invoices per aging bucket: one query over the summary's
    receivables (one row per owner, status and due date), not over the invoices."""
    aggregates: dict[str, Any] = {}
    for key, _label, _low, _high in AGING_BUCKETS:
        cond = _due_in(key, today, field="month", day=day_of)
        aggregates[f"{key}_count"] = Sum("count", filter=cond)
        aggregates[f"{key}_total"] = Sum("balance_base", filter=cond)
    row = _figures(RECEIVABLE, owner).aggregate(**aggregates)
    return [
        {
            "key": key,
            "label": label,
            "count": row[f"{key}_count"] or 0,
            "amount": money(row[f"{key}_total"]),
        }
        for key, label, _low, _high in AGING_BUCKETS
    ]


def receivables_summary(aging: list[dict[str, Any]], *, overdue: bool = False) -> dict[str, Any]:
    """The open invoices (or only the overdue ones) of `receivables_aging`'s buckets: count and balance
    due in the base currency."""
    buckets = [b for b in aging if not overdue or b["key"] in OVERDUE_BUCKETS]
    count = sum(b["count"] for b in buckets)
    code, places = base_currency()
    return {
        "count": count,
        "label": f"Balance due ({code})" if code else "Balance due",
        "totals": [
            {"currency": code, "places": places, "count": count, "total": sum(b["amount"] for b in buckets)}
        ],
    }


# --- the summary table's figures (salesapp.reporting, kept by the services) ---------------------


def _figures(kind: str, owner: Any) -> QuerySet:
    qs = DocumentFigure.objects.filter(kind=kind)
    return qs.filter(owner=owner) if owner is not None else qs


def _sums(qs: QuerySet, by: str, amount: str) -> dict[int, dict[str, Any]]:
    rows = qs.values(by).annotate(n=Sum("count"), units=Sum(amount)).order_by(by)
    return {r[by]: {"count": r["n"] or 0, "amount": money(r["units"])} for r in rows if r["n"]}


def pipeline_by_status(owner: Any = None) -> dict[int, dict[str, Any]]:
    """Open opportunities' estimated revenue (base) by status reason: {status: {count, amount}}."""
    return _sums(
        _figures(Opportunity.kind, owner).filter(state=OpportunityState.OPEN), "status", "estimated_base"
    )


def last_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The first days of the last `count` months, the oldest first, this month last."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def revenue_won_by_month(months: list[datetime.date], owner: Any = None) -> dict[int, dict[str, Any]]:
    """Won opportunities' actual revenue (base) by month closed: {yyyymm: {count, amount}}."""
    keys = [month_of(m) for m in months]
    qs = _figures(Opportunity.kind, owner).filter(state=OpportunityState.WON, month__in=keys)
    return _sums(qs, "month", "revenue_base")


def invoices_by_status(owner: Any = None) -> dict[int, dict[str, Any]]:
    """Every invoice by status reason: {status: {count, total amount (base)}}."""
    return _sums(_figures(Invoice.kind, owner), "status", "total_base")
