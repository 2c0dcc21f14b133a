"""Invoice / credit note → HTML → PDF with WeasyPrint (SPEC §8).

The HTML comes from templates/pdf/invoice.html or credit_note.html (Django autoescaping: every name, note and address
a user typed is text, never markup). The print CSS is inlined, fonts come from the system
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from salesapp.catalog.models import Currency
from salesapp.core import formatting as fmt
from salesapp.core.addresses import address_fields
from salesapp.core.models import OrganizationSettings
from salesapp.sales.models import CreditNote, CreditNoteDetail, DocumentLine, Invoice, InvoiceDetail
from salesapp.sales.states import InvoiceState, InvoiceStatus

from .einvoice.pdf import write_facturx_pdf

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


def template_values(document: Invoice | CreditNote, org: OrganizationSettings) -> dict[str, str]:
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
    return values | {
        "due": fmt.day(document.due_date) or "on receipt",
        "invoice_date": fmt.day(document.invoice_date),
        "balance": money(document.balance_due, document.currency),
    }


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


def invoice_lines(invoice: Invoice) -> list[InvoiceDetail]:
    return list(
        InvoiceDetail.objects.filter(invoice=invoice)
        .select_related("product", "unit")
        .order_by("sequence", "created_on")
    )


def credit_note_lines(credit_note: CreditNote) -> list[CreditNoteDetail]:
    return list(
        CreditNoteDetail.objects.filter(credit_note=credit_note)
        .select_related("product", "unit")
        .order_by("sequence", "created_on")
    )


def _line_rows(
    lines: list[Any], document: Invoice | CreditNote, org: OrganizationSettings
) -> list[dict[str, str]]:
    cur = document.currency
    places = org.pricing_precision
    rows = []
    line: DocumentLine
    for line in lines:
        rows.append(
            {
                "name": line.product_name,
                "number": line.product.product_number if line.product_id else "",
                "description": line.description,
                "unit": line.unit.name if line.unit_id else "",
                "quantity": fmt.quantity(line.quantity),
                "price_per_unit": fmt.money(line.price_per_unit, places, symbol=cur.symbol),
                "volume_discount": fmt.money(line.volume_discount, places, symbol=cur.symbol)
                if line.volume_discount
                else "",
                "manual_discount": money(line.manual_discount, cur) if line.manual_discount else "",
                "tax": money(line.tax, cur) if line.tax else "",
                "extended_amount": money(line.extended_amount, cur),
            }
        )
    return rows


def _totals(document: Invoice | CreditNote) -> list[tuple[str, str]]:
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


def invoice_context(
    invoice: Invoice, org: OrganizationSettings, *, asset_origin: str = ASSET_ORIGIN
) -> dict[str, Any]:
    cur = invoice.currency
    rows = _line_rows(invoice_lines(invoice), invoice, org)
    mark = invoice_mark(invoice)
    totals = _totals(invoice)
    customer = invoice.customer
    return {
        "invoice": invoice,
        "org": org,
        "currency": cur,
        "lines": rows,
        "mark": mark,
        "logo_url": f"{asset_origin}{MEDIA_PREFIX}{org.logo.name}" if org.logo and asset_origin else "",
        "customer_name": customer.name if customer else "",
        "seller_address": _address(org, "address"),
        "bill_to": _address(invoice, "billto"),
        "ship_to": _address(invoice, "shipto"),
        "invoice_date": fmt.day(invoice.invoice_date),
        "due_date": fmt.day(invoice.due_date),
        "paid_on": fmt.day(invoice.date_paid),
        "settlement": settlement(invoice),
        "payment_terms": invoice.get_payment_terms_display() if invoice.payment_terms else "",
        "order_number": invoice.sales_order.order_number if invoice.sales_order_id else "",
        "quote_number": invoice.quote.quote_number if invoice.quote_id else "",
        "totals": totals,
        "total_amount": money(invoice.total_amount, cur),
        "has_discounts": any(r["volume_discount"] or r["manual_discount"] for r in rows),
    }


def credit_note_context(
    credit_note: CreditNote, org: OrganizationSettings, *, asset_origin: str = ASSET_ORIGIN
) -> dict[str, Any]:
    cur = credit_note.currency
    rows = _line_rows(credit_note_lines(credit_note), credit_note, org)
    customer = credit_note.customer
    invoice = credit_note.invoice
    return {
        "credit_note": credit_note,
        "org": org,
        "currency": cur,
        "lines": rows,
        "logo_url": f"{asset_origin}{MEDIA_PREFIX}{org.logo.name}" if org.logo and asset_origin else "",
        "customer_name": customer.name if customer else "",
        "seller_address": _address(org, "address"),
        "bill_to": _address(credit_note, "billto"),
        "credit_date": fmt.day(credit_note.credit_date),
        "invoice_number": invoice.invoice_number,
        "invoice_date": fmt.day(invoice.invoice_date),
        "totals": _totals(credit_note),
        "total_amount": money(credit_note.total_amount, cur),
        "has_discounts": any(r["volume_discount"] or r["manual_discount"] for r in rows),
    }


def _address(invoice: Any, prefix: str) -> list[str]:
    name = getattr(invoice, f"{prefix}_name", "")
    parts = [getattr(invoice, f"{prefix}_{p}", "") for p in ("line1", "line2", "line3")]
    city = " ".join(
        x for x in (getattr(invoice, f"{prefix}_postalcode", ""), getattr(invoice, f"{prefix}_city", "")) if x
    )
    region = getattr(invoice, f"{prefix}_stateorprovince", "")
    country = getattr(invoice, f"{prefix}_country", "")
    return [x for x in (name, *parts, city, region, country) if x]


def invoice_html(
    invoice: Invoice, *, org: OrganizationSettings | None = None, asset_origin: str = ASSET_ORIGIN
) -> RenderedHtml:
    """The print HTML of an invoice, with the fingerprint that decides whether a stored PDF is current."""
    org = org or OrganizationSettings.load()
    invoice = Invoice.objects.select_related(
        "currency", "sales_order", "quote", "customer_account", "customer_contact"
    ).get(pk=invoice.pk)
    context = invoice_context(invoice, org, asset_origin=asset_origin)
    return _rendered("pdf/invoice.html", context, org, invoice.content_version)


def credit_note_html(
    credit_note: CreditNote, *, org: OrganizationSettings | None = None, asset_origin: str = ASSET_ORIGIN
) -> RenderedHtml:
    """The print HTML of a credit note (as invoice_html)."""
    org = org or OrganizationSettings.load()
    credit_note = CreditNote.objects.select_related(
        "currency", "invoice", "customer_account", "customer_contact"
    ).get(pk=credit_note.pk)
    context = credit_note_context(credit_note, org, asset_origin=asset_origin)
    return _rendered("pdf/credit_note.html", context, org, credit_note.content_version)


def document_html(
    document: Invoice | CreditNote,
    *,
    org: OrganizationSettings | None = None,
    asset_origin: str = ASSET_ORIGIN,
) -> RenderedHtml:
    """The print HTML of any document that has a PDF."""
    if isinstance(document, CreditNote):
        return credit_note_html(document, org=org, asset_origin=asset_origin)
    return invoice_html(document, org=org, asset_origin=asset_origin)


def _rendered(
    template: str, context: dict[str, Any], org: OrganizationSettings, version: int
) -> RenderedHtml:
    html = render_to_string(template, context)
    digest = hashlib.sha256(html.encode())
    digest.update(_logo_stamp(org).encode())
    return RenderedHtml(
        html=html,
        logo_name=org.logo.name if org.logo else "",
        fingerprint=digest.hexdigest(),
        settings_hash=settings_hash(org),
        content_version=version,
        line_count=len(context["lines"]),
    )


def html_to_pdf(
    html: str, *, logo_name: str = "", fetcher: LocalOnlyFetcher | None = None, facturx: bytes | None = None
) -> tuple[bytes, int]:
    """Render HTML to PDF bytes with the local-only fetcher. Returns (pdf, page count).

    With `facturx` (CII XML bytes) the PDF is a Factur-X PDF/A-3b carrying it (`einvoice.pdf`).
    """
    fetcher = fetcher or LocalOnlyFetcher(logo_name=logo_name)
    document = HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).render()
    if facturx is not None:
        return write_facturx_pdf(document, facturx), len(document.pages)
    return document.write_pdf(), len(document.pages)
