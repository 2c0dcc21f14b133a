"""Factur-X invoice PDFs: our e-invoicing pipeline against bare WeasyPrint, 10- and 100-line invoices.

    .venv/bin/python bench/einvoice.py [--runs 7]

Like bench/pdf.py (whose catalog set-up it reuses) with e-invoicing on: our pipeline is the reprice
check, the HTML, the EN 16931 checks, the CII XML, WeasyPrint writing a PDF/A-3b with factur-x.xml
and the Factur-X XMP, and storing the PDF row; bare WeasyPrint is `HTML(string=html).write_pdf()` on
the same HTML. Target: ≤ 1.2× (embedding included). Also prints the XML build time alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pdf import ROOT, build_catalog, peak_rss_mb, setup_django, time_bare, time_pipeline


def build_invoice(user, account, product, lines: int):
    """An invoice with `lines` VAT-categorized lines (catalog S 19 %, write-ins S 7 %)."""
    from salesapp.sales import services
    from salesapp.sales.models import Invoice, PaymentTerms

    invoice = services.document_create(
        Invoice, by=user, customer=account, name=f"Factur-X {lines} lines", payment_terms=PaymentTerms.NET_30
    )
    rows = []
    for i in range(lines):
        if i % 2:
            rows.append(
                {
                    "write_in_name": f"On-site service, day {i}",
                    "quantity": Decimal("1"),
                    "price_per_unit": Decimal("640.00"),
                    "vat_category": "S",
                    "tax_rate": Decimal("7"),
                }
            )
        else:
            rows.append(
                {
                    "product": product,
                    "quantity": Decimal(i % 7 + 1),
                    "manual_discount": Decimal("5.00"),
                    "vat_category": "S",
                    "tax_rate": Decimal("19"),
                }
            )
    for row in rows:
        services.line_add(document=invoice, by=user, **row)
    services.document_update(
        invoice, by=user, discount_percentage=Decimal("5"), freight_amount=Decimal("25.00")
    )
    invoice.refresh_from_db()
    return invoice


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db_path = ROOT / "var" / "bench" / "einvoice.sqlite3"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    setup_django(f"sqlite:///{db_path}")
    import weasyprint

    from salesapp.catalog.services import organization_settings_save
    from salesapp.customers.models import Account
    from salesapp.documents.einvoice.cii import cii_xml
    from salesapp.documents.rendering import invoice_html

    user, account, product = build_catalog()
    organization_settings_save(by=user, einvoicing=True, tax_id="US911144442", address_country="US")
    Account.objects.filter(pk=account.pk).update(address1_country=account.address1_country or "US")
    print(
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"median of {args.runs} runs after one warm-up"
    )
    print(f"{'lines':>5} {'ours (s)':>9} {'bare (s)':>9} {'ratio':>6} {'XML (ms)':>9} {'peak RSS (MB)':>13}")
    worst = 0.0
    for lines in (10, 100):
        invoice = build_invoice(user, account, product, lines)
        html = invoice_html(invoice).html
        time_pipeline(invoice), time_bare(html)  # warm
        ours, bare, xml = [], [], []
        for _ in range(args.runs):  # interleaved, so background load hits both alike
            ours.append(time_pipeline(invoice))
            bare.append(time_bare(html))
            started = time.perf_counter()
            cii_xml(invoice)
            xml.append(time.perf_counter() - started)
        ratio = statistics.median(ours) / statistics.median(bare)
        worst = max(worst, ratio)
        print(
            f"{lines:>5} {statistics.median(ours):>9.3f} {statistics.median(bare):>9.3f} {ratio:>5.2f}x "
            f"{statistics.median(xml) * 1000:>9.1f} {peak_rss_mb():>13.0f}"
        )
    print(f"overhead ratio (worst) {worst:.2f}x — target ≤ 1.20x: {'OK' if worst <= 1.2 else 'MISSED'}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
