"""Quote, order confirmation, invoice and credit note → HTML → PDF with WeasyPrint (SPEC §8).

One template family: templates/pdf/base.html (seller, parties, references, line table, totals, notes,
page X of Y) extended by quote.html, order.html, invoice.html and credit_note.html. One
`document_context` builds what every kind shows; `KIND_PARTS` adds each kind's own (title, references,
dates, the settlement of an invoice). Amounts and dates follow the organization's locale
(`formatting.using_locale`), addresses their country (`core.addresses.format_address`).
Django autoescaping: every name, note and address a user typed is text, never markup. The print CSS is inlined, fonts come from the system
(DejaVu, fonts-dejavu-core), and the only resource the document may load is the organization's
logo — through `LocalOnlyFetcher`, which reads our own static files and that one media file from
disk and refuses everything else: no network, no other local file.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from salesapp import pricing
from salesapp.catalog.models import Currency
from salesapp.core import formatting as fmt
from salesapp.core.addresses import address_fields, format_address
from salesapp.core.models import OrganizationSettings
from salesapp.sales.models import LINE_MODELS, CreditNote, DocumentLine, Invoice, Quote, SalesOrder
from salesapp.sales.services.einvoice import vat_breakdown
from salesapp.sales.states import InvoiceState, InvoiceStatus

from .einvoice.pdf import write_facturx_pdf
from .kinds import kind_of

log = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; a worker rendering hundreds of PDFs doesn't need that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A host that can never resolve (RFC 6761 .invalid): even a fetcher bug can't reach a network.
ASSET_ORIGIN = "https://assets.salesapp.invalid"
STATIC_PREFIX = "/static/"
MEDIA_PREFIX = "/media/"
SETTINGS_FIELDS = (
    "seller_name",
    *address_fields("address"),
    "locale",
    "tax_id",
    "email",
    "phone",
    "website",
    "logo",
    "payment_instructions",
    "invoice_footer",
    "pricing_precision",
)


class RefusedURL(ValueError):
    """The PDF asked for something outside our static files and logo. WeasyPrint skips it."""


class LocalOnlyFetcher(URLFetcher):
    """Serves `ASSET_ORIGIN/static/<path>` from our static files and `ASSET_ORIGIN/media/<logo>`
    from disk; refuses every other URL (http, file, data, other hosts, other media files).

    Refusals are not fatal — the resource is left out and WeasyPrint logs a warning — and are kept
    in `refused` so tests (and logs) can see them.
    """

    def __init__(self, *, logo_name: str = "", **kwargs: Any) -> None:
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False, **kwargs)
        self.logo_name = logo_name
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.requested.append(url)
        path = self._local_path(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF rendering refused to fetch %s", url[:200])
            raise RefusedURL(f"refused: {url[:200]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": mime})

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ASSET_ORIGIN or parts.query or parts.fragment:
            return None
        raw = unquote(parts.path)
        if "\\" in raw or "\x00" in raw:
            return None
        clean = posixpath.normpath(raw)
        if clean != raw or ".." in clean.split("/"):
            return None
        if clean.startswith(STATIC_PREFIX):
            found = finders.find(clean[len(STATIC_PREFIX) :])
            return Path(found) if isinstance(found, str) and Path(found).is_file() else None
        if clean.startswith(MEDIA_PREFIX) and self.logo_name and clean[len(MEDIA_PREFIX) :] == self.logo_name:
            media_root = Path(settings.MEDIA_ROOT).resolve()
            path = (media_root / self.logo_name).resolve()
            if path.is_relative_to(media_root) and path.is_file():
                return path
        return None


# --- formatting ----------------------------------------------------------------------------------

Document = Quote | SalesOrder | Invoice | CreditNote


def money(value: Any, currency: Currency) -> str:
    """An amount at the currency's precision, with its symbol (salesapp.core.formatting)."""
    return fmt.money(value, currency.precision, symbol=currency.symbol)


PLACEHOLDER = re.compile(r"\{(number|seller|total|due|customer|invoice_date|balance|invoice)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """Fill {number}, {seller}, {total}, {due}, {customer}, {invoice_date}, {balance} (and {invoice}: the
    invoice a credit note credits); leave anything else as typed.

    A regex, not str.format: the template is typed by an administrator and must not reach attributes.
    """
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def template_values(document: Document, org: OrganizationSettings) -> dict[str, str]:
    """The placeholders of an email about the document, in the organization's locale."""
    with fmt.using_locale(org.locale):
        customer = document.customer
        values = {
            "number": document.number,
            "seller": org.seller_name,
            "total": money(document.total_amount, document.currency),
            "customer": customer.name if customer else "",
        }
        if isinstance(document, CreditNote):
            return values | {
                "invoice": document.invoice.invoice_number,
                "invoice_date": fmt.day(document.credit_date),
            }
        if isinstance(document, Invoice):
            return values | {
                "due": fmt.day(document.due_date) or "on receipt",
                "invoice_date": fmt.day(document.invoice_date),
                "balance": money(document.balance_due, document.currency),
            }
        return values


# --- HTML ------------------------------------------------------------------------------------------


@dataclass
class RenderedHtml:
    html: str
    logo_name: str
    fingerprint: str
    settings_hash: str
    content_version: int
    line_count: int
    extra: dict[str, Any] = field(default_factory=dict)
    # What the print was made from, for the e-invoice XML of the same PDF (no second load or computation):
    # the document with its print relations selected, its lines and its VAT breakdown.
    document: Any = None
    lines: list[DocumentLine] = field(default_factory=list)
    vat: list[pricing.VatBreakdownRow] = field(default_factory=list)


def settings_hash(org: OrganizationSettings) -> str:
    digest = hashlib.sha256()
    for name in SETTINGS_FIELDS:
        digest.update(f"{name}={getattr(org, name)!s}\x1f".encode())
    return digest.hexdigest()


def _logo_stamp(org: OrganizationSettings) -> str:
    if not org.logo:
        return ""
    try:
        stat = Path(org.logo.path).stat()
    except (OSError, ValueError):
        return "missing"
    return f"{org.logo.name}:{stat.st_size}:{stat.st_mtime_ns}"


def document_lines(document: Document) -> list[DocumentLine]:
    model = LINE_MODELS[type(document)]
    return list(
        model._default_manager.filter(**{model.parent_field: document})
        .select_related("product", "unit")
        .order_by("sequence", "created_on")
    )


# --- the line table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = True
    optional: bool = False  # left out when no line has a value


COLUMNS = (
    Column("no", "#"),
    Column("product", "Product", numeric=False),
    Column("unit", "Unit", numeric=False),
    Column("quantity", "Quantity"),
    Column("price_per_unit", "Price per unit"),
    Column("volume_discount", "Volume discount", optional=True),
    Column("manual_discount", "Manual discount", optional=True),
    Column("vat_rate", "VAT %", optional=True),
    Column("tax", "Tax", optional=True),
    Column("extended_amount", "Extended amount"),
)
# The line table's font sizes (pt), largest first: the largest at which the numbers fit is used.
LINE_FONT_SIZES = (8.5, 7.5, 6.5, 6.0)
# The width the numeric columns may take (pt): A4 less the margins (180 mm) less room for #, product, unit.
NUMBERS_WIDTH_PT = 180 / 25.4 * 72 - 110
CELL_PADDING_PT = 2 * 1.2 / 25.4 * 72
NARROW = frozenset(",.'  ")  # separators are about half a digit wide in DejaVu Sans


def _width_em(text: str) -> float:
    """About how wide `text` prints, in em of DejaVu Sans (digits 0.64 em, separators 0.32 em);
    generous for letters so that an estimate never falls short."""
    return sum(0.32 if ch in NARROW else 0.7 for ch in text)


LONG_WORD = re.compile(r"\S{16}(?=\S)")


def breakable(text: str) -> str:
    """Text whose words are kept whole (a column as wide as its longest word) but with a zero-width
    break opportunity every 16 characters of a longer word, so that no word can push a column wide."""
    return LONG_WORD.sub(lambda m: m.group(0) + "\u200b", text)


def line_font_size(columns: list[Column], cells: list[dict[str, str]]) -> float:
    """The largest of LINE_FONT_SIZES at which every numeric column's widest cell (and its header's
    longest word, in bold) fits the width the numbers may take. Numbers never wrap, so this is what
    keeps a 12-digit amount at 4 decimals in every column inside the page."""
    em = 0.0
    for column in columns:
        if not column.numeric:
            continue
        widest = max((_width_em(row[column.key]) for row in cells), default=0.0)
        header = max(_width_em(word) * 1.1 for word in column.header.split())
        em += max(widest, header)
    padding = CELL_PADDING_PT * sum(c.numeric for c in columns)
    for size in LINE_FONT_SIZES:
        if em * size + padding <= NUMBERS_WIDTH_PT:
            return size
    return LINE_FONT_SIZES[-1]


def percent(rate: Any) -> str:
    """A VAT or discount rate as printed: "20%", "5.5%" (the quantity format of the locale)."""
    return f"{fmt.quantity(rate)}%"


def vat_cell(line: DocumentLine) -> str:
    """The line's VAT % cell: its rate, and its category's code when that isn't the standard rate
    ("0% E", "AE"); empty for a line with neither (a typed tax amount, the D365 way)."""
    category = pricing.VatCategory(line.vat_category) if line.vat_category else None
    rate = line.tax_rate
    if rate is None and category is not None and category.zero_rated:
        rate = Decimal(0)
    text = percent(rate) if rate is not None else ""
    if category is not None and category is not pricing.VatCategory.STANDARD:
        text = f"{text} {category.value}".strip()
    return text


def line_table(
    document: Document, org: OrganizationSettings, lines: list[DocumentLine] | None = None
) -> dict[str, Any]:
    """The columns (optional ones only when a line has a value), one row of cells per line, and the
    font size that keeps every column inside the page."""
    cur = document.currency
    places = org.pricing_precision
    cells = []
    rows = []
    for number, line in enumerate(document_lines(document) if lines is None else lines, start=1):
        cell = {
            "no": str(number),
            "product": line.product_name,
            "unit": breakable(line.unit.name) if line.unit_id else "",
            "quantity": fmt.quantity(line.quantity),
            "price_per_unit": fmt.money(line.price_per_unit, places, symbol=cur.symbol),
            "volume_discount": fmt.money(line.volume_discount, places, symbol=cur.symbol)
            if line.volume_discount
            else "",
            "manual_discount": money(line.manual_discount, cur) if line.manual_discount else "",
            "vat_rate": vat_cell(line),
            "tax": money(line.tax, cur) if line.tax else "",
            "extended_amount": money(line.extended_amount, cur),
        }
        cells.append(cell)
        rows.append(
            {
                "cells": cell,
                "product_number": line.product.product_number if line.product_id else "",
                "description": line.description,
            }
        )
    columns = [c for c in COLUMNS if not c.optional or any(cell[c.key] for cell in cells)]
    for row in rows:
        row["shown"] = [(c, row["cells"][c.key]) for c in columns]
    return {"columns": columns, "lines": rows, "line_font_size": line_font_size(columns, cells)}


# --- totals, marks, settlement ---------------------------------------------------------------------


def _totals(document: Document) -> list[tuple[str, str]]:
    """The totals block of SPEC §3.4, above the grand total."""
    cur = document.currency
    totals = [("Detail amount", money(document.total_line_item_amount, cur))]
    if document.header_percent_discount_amount:
        totals.append(
            (
                f"Discount ({fmt.quantity(document.discount_percentage)}%)",
                money(-document.header_percent_discount_amount, cur),
            )
        )
    if document.discount_amount:
        totals.append(("Discount", money(-document.discount_amount, cur)))
    totals.append(("Pre-freight amount", money(document.total_amount_less_freight, cur)))
    if document.freight_amount:
        totals.append(("Freight", money(document.freight_amount, cur)))
    totals.append(("Total tax", money(document.total_tax, cur)))
    return totals


def document_vat(document: Document, lines: list[DocumentLine]) -> list[pricing.VatBreakdownRow]:
    """The document's VAT breakdown per category and rate (`sales.services.einvoice.vat_breakdown`, the
    one the e-invoice carries); none when its lines carry no VAT categories."""
    if not any(line.vat_category for line in lines):
        return []
    return vat_breakdown(document, lines)


def vat_rows(document: Document, breakdown: list[pricing.VatBreakdownRow]) -> list[dict[str, str]]:
    """The totals block's VAT breakdown, formatted."""
    cur = document.currency
    return [
        {
            "category": row.category.label,
            "reason": row.reason if row.category is not pricing.VatCategory.STANDARD else "",
            "rate": percent(row.rate) if row.rate is not None else "",
            "basis": money(row.basis, cur),
            "tax": money(row.tax, cur),
        }
        for row in breakdown
    ]


def invoice_mark(invoice: Invoice) -> str:
    """PAID only when fully paid (Paid · Complete, nothing left to pay), never for a partial payment."""
    if invoice.state == InvoiceState.CANCELED:
        return "CANCELED"
    if (
        invoice.state == InvoiceState.PAID
        and invoice.status == InvoiceStatus.COMPLETE
        and invoice.balance_due <= 0
    ):
        return "PAID"
    return ""


def settlement(invoice: Invoice) -> list[tuple[str, str]]:
    """SPEC §8, §10: below the total, what was credited and paid and what is left (once anything was)."""
    if invoice.state == InvoiceState.CANCELED or not (invoice.amount_paid or invoice.amount_credited):
        return []
    cur = invoice.currency
    rows = []
    if invoice.amount_credited:
        rows.append(("Amount credited", money(-invoice.amount_credited, cur)))
    rows.append(("Amount paid", money(-invoice.amount_paid, cur)))
    rows.append(("Balance due", money(invoice.balance_due, cur)))
    return rows


def _address(record: Any, prefix: str, *, name: str = "") -> list[str]:
    """One of a record's address column groups (`billto_…`, `address_…`) as printed lines."""

    def part(key: str) -> str:
        return str(getattr(record, f"{prefix}_{key}", "") or "")

    return format_address(
        name=name or part("name"),
        lines=(part("line1"), part("line2"), part("line3")),
        city=part("city"),
        region=part("stateorprovince"),
        postal_code=part("postalcode"),
        country=part("country"),
    )


def _references(*pairs: tuple[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the header's reference table, leaving out empty values; dates formatted."""
    return [
        (label, fmt.day(value) if hasattr(value, "year") else str(value)) for label, value in pairs if value
    ]


# --- what each kind adds ---------------------------------------------------------------------------


def _quote_parts(quote: Quote) -> dict[str, Any]:
    return {
        "references": _references(
            ("Quote date", quote.created_on.date() if quote.created_on else None),
            ("Revision", quote.revision_number),
            ("Effective from", quote.effective_from),
            ("Effective to", quote.effective_to),
            ("Valid until", quote.due_by),
            ("Requested delivery", quote.requested_delivery_by),
            ("Payment terms", quote.get_payment_terms_display() if quote.payment_terms else ""),
        ),
        "valid_until": fmt.day(quote.due_by or quote.effective_to),
    }


def _order_parts(order: SalesOrder) -> dict[str, Any]:
    return {
        "references": _references(
            ("Order date", order.created_on.date() if order.created_on else None),
            ("Quote", order.quote.quote_number if order.quote_id else ""),
            ("Requested delivery", order.requested_delivery_by),
            ("Payment terms", order.get_payment_terms_display() if order.payment_terms else ""),
            ("Freight terms", order.get_freight_terms_display() if order.freight_terms else ""),
            ("Shipping method", order.get_shipping_method_display() if order.shipping_method else ""),
        ),
    }


def _invoice_parts(invoice: Invoice) -> dict[str, Any]:
    return {
        "references": _references(
            ("Invoice date", invoice.invoice_date),
            ("Due date", invoice.due_date),
            ("Payment terms", invoice.get_payment_terms_display() if invoice.payment_terms else ""),
            ("Order", invoice.sales_order.order_number if invoice.sales_order_id else ""),
            ("Quote", invoice.quote.quote_number if invoice.quote_id else ""),
            ("Paid on", invoice.date_paid),
        ),
        "mark": invoice_mark(invoice),
        "settlement": settlement(invoice),
    }


def _credit_note_parts(credit_note: CreditNote) -> dict[str, Any]:
    invoice = credit_note.invoice
    return {
        "references": _references(
            ("Credit note date", credit_note.credit_date),
            ("Credits invoice", invoice.invoice_number),
            ("Invoice date", invoice.invoice_date),
        ),
        "ship_to": None,  # a credit note ships nothing
        "grand_label": "Total credited",
        "invoice_number": invoice.invoice_number,
    }


CUSTOMER = ("currency", "customer_account", "customer_contact")
# Each kind's own parts of the print: what to select with the document, and a function of it.
KIND_PARTS: dict[str, tuple[tuple[str, ...], Callable[[Any], dict[str, Any]]]] = {
    "quote": (CUSTOMER, _quote_parts),
    "salesorder": ((*CUSTOMER, "quote"), _order_parts),
    "invoice": ((*CUSTOMER, "sales_order", "quote"), _invoice_parts),
    "creditnote": ((*CUSTOMER, "invoice"), _credit_note_parts),
}


def document_context(
    document: Document,
    org: OrganizationSettings | None = None,
    *,
    asset_origin: str = ASSET_ORIGIN,
    lines: list[DocumentLine] | None = None,
    vat: list[pricing.VatBreakdownRow] | None = None,
) -> dict[str, Any]:
    """Everything templates/pdf/base.html shows of any document, with the kind's own parts on top.
    Call it inside `formatting.using_locale(org.locale)` (document_html does)."""
    org = org or OrganizationSettings.load()
    kind = kind_of(document)
    customer = document.customer
    customer_name = customer.name if customer else ""
    lines = document_lines(document) if lines is None else lines
    vat = document_vat(document, lines) if vat is None else vat
    context: dict[str, Any] = {
        "document": document,
        "kind": document.kind,
        "org": org,
        "currency": document.currency,
        "title": f"{kind.title} {document.number}",
        "logo_url": f"{asset_origin}{MEDIA_PREFIX}{org.logo.name}" if org.logo and asset_origin else "",
        "seller_address": _address(org, "address"),
        "customer_name": customer_name,
        "bill_to": _address(document, "billto") or [customer_name],
        "ship_to": _address(document, "shipto"),
        "mark": "",
        "references": [],
        "totals": _totals(document),
        "vat_rows": vat_rows(document, vat),
        "grand_label": "Total amount",
        "total_amount": money(document.total_amount, document.currency),
        "settlement": [],
        **line_table(document, org, lines),
    }
    context.update(KIND_PARTS[kind.kind][1](document))
    return context


def document_html(
    document: Document,
    *,
    org: OrganizationSettings | None = None,
    asset_origin: str = ASSET_ORIGIN,
) -> RenderedHtml:
    """The print HTML of any document, with the fingerprint that decides whether a stored PDF is current."""
    org = org or OrganizationSettings.load()
    kind = kind_of(document)
    document = kind.model.objects.select_related(*KIND_PARTS[kind.kind][0]).get(pk=document.pk)
    lines = document_lines(document)
    vat = document_vat(document, lines)
    with fmt.using_locale(org.locale) as locale:
        context = document_context(document, org, asset_origin=asset_origin, lines=lines, vat=vat)
        context["lang"] = locale.split("_")[0]
        html = render_to_string(kind.template, context)
    digest = hashlib.sha256(html.encode())
    digest.update(_logo_stamp(org).encode())
    return RenderedHtml(
        html=html,
        logo_name=org.logo.name if org.logo else "",
        fingerprint=digest.hexdigest(),
        settings_hash=settings_hash(org),
        content_version=getattr(document, "content_version", document.row_version),
        line_count=len(lines),
        document=document,
        lines=lines,
        vat=vat,
    )


# The names older callers and tests use.
invoice_html = credit_note_html = document_html


def html_to_pdf(
    html: str, *, logo_name: str = "", fetcher: LocalOnlyFetcher | None = None, facturx: bytes | None = None
) -> tuple[bytes, int]:
    """Render HTML to PDF bytes with the local-only fetcher. Returns (pdf, page count). Every document
    kind goes through here.

    With `facturx` (CII XML bytes) the PDF is a Factur-X PDF/A-3b carrying it (`einvoice.pdf`).
    """
    fetcher = fetcher or LocalOnlyFetcher(logo_name=logo_name)
    document = HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).render()
    if facturx is not None:
        return write_facturx_pdf(document, facturx), len(document.pages)
    return document.write_pdf(), len(document.pages)
