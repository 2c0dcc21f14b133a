"""Invoice PDF rendering: our pipeline against bare WeasyPrint, for a 10-line and a 100-line invoice.

    .venv/bin/python bench/pdf.py [--runs 7]

Uses a throwaway SQLite database under var/bench/, builds the data through the services, and
prints per size: the median time of our pipeline (reprice check, HTML from the template, local-only
fetcher, WeasyPrint, storing the PDF row), the median time of bare WeasyPrint on the same HTML
(`HTML(string=html).write_pdf()`), our overhead ratio (target ≤ 1.2×), and the peak resident memory
of this process (target < 300 MB after the 100-line invoice).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "salesapp.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_catalog():  # (user, account, product)
    """A salesperson, a currency, a price list with one product, and a customer account."""
    from django.contrib.auth.models import Group, User

    from salesapp.accounts.roles import SALESPERSON
    from salesapp.catalog import services as catalog
    from salesapp.catalog.models import Currency, PriceList, PriceListItem, Product, ProductState
    from salesapp.core.models import OrganizationSettings
    from salesapp.customers import services as customers
    from salesapp.customers.models import Account

    user, _ = User.objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get_or_create(name=SALESPERSON)[0])
    usd, _ = Currency.objects.get_or_create(
        code="USD", defaults={"name": "US Dollar", "symbol": "$", "precision": 2}
    )
    org = OrganizationSettings.load()
    org.default_currency = usd
    org.seller_name = "Contoso Ltd"
    org.address_line1 = "1 Microsoft Way"
    org.address_city = "Redmond"
    org.address_stateorprovince = "WA"
    org.address_postalcode = "98052"
    org.address_country = "US"
    org.payment_instructions = "Bank: Contoso Bank · IBAN US00 0000 0000 0000"
    org.invoice_footer = "Thank you for your business."
    org.save()
    group = catalog.unit_group_create(name="Bench units", base_unit_name="Each", by=user)
    unit = group.units.get()
    product = catalog.product_save(
        product=Product(
            product_number="BENCH-1",
            name="Widget, professional edition",
            unit_group=group,
            default_unit=unit,
            quantity_decimals=2,
        ),
        by=user,
        list_price=Decimal("100.00"),
        state=ProductState.ACTIVE,
    )
    price_list = catalog.price_list_save(price_list=PriceList(name="Bench retail", currency=usd), by=user)
    catalog.price_list_item_save(
        item=PriceListItem(price_list=price_list, product=product, unit=unit, pricing_method=1),
        by=user,
        amount=Decimal("99.50"),
    )
    account = customers.account_save(
        account=Account(),
        by=user,
        name="Fabrikam, Inc.",
        email="ap@fabrikam.example",
        default_price_list=price_list,
        address1_line1="1 Main Street",
        address1_city="Springfield",
        address1_postalcode="12345",
        address1_country="US",
    )
    # Read the account again: the in-memory price list still carries the revision from before the item
    # was saved, and invoices would be created "priced at" that stale revision (then repriced on export).
    return user, Account.objects.select_related("default_price_list").get(pk=account.pk), product


def build_invoice(user, account, product, lines: int):
    """An invoice with `lines` lines (catalog and write-in alternating), through the services."""
    from salesapp.sales import services
    from salesapp.sales.models import Invoice, PaymentTerms

    invoice = services.document_create(
        Invoice, by=user, customer=account, name=f"Bench {lines} lines", payment_terms=PaymentTerms.NET_30
    )
    for i in range(lines):
        if i % 2:
            services.line_add(
                document=invoice,
                by=user,
                write_in_name=f"On-site service, day {i}",
                quantity=Decimal("1"),
                price_per_unit=Decimal("640.00"),
                tax=Decimal("51.20"),
            )
        else:
            services.line_add(
                document=invoice,
                by=user,
                product=product,
                quantity=Decimal(i % 7 + 1),
                manual_discount=Decimal("5.00"),
            )
    invoice.refresh_from_db()
    return invoice


def time_pipeline(invoice) -> float:
    """One full render through our pipeline (the stored PDF is dropped first so nothing is reused)."""
    from salesapp.documents import services
    from salesapp.documents.models import DocumentPdf

    DocumentPdf.objects.filter(invoice_id=invoice.pk).delete()
    started = time.perf_counter()
    services.invoice_pdf(invoice)
    return time.perf_counter() - started


def time_bare(html: str) -> float:
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(string=html).write_pdf()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(invoice, runs: int) -> dict[str, float]:
    from salesapp.documents import services
    from salesapp.documents.rendering import invoice_html

    html = invoice_html(invoice).html
    time_pipeline(invoice), time_bare(html)  # warm: fonts, templates, imports
    ours, bare = [], []
    for _ in range(runs):  # interleaved, so background load hits both alike
        ours.append(time_pipeline(invoice))
        bare.append(time_bare(html))
    started = time.perf_counter()
    services.invoice_pdf(invoice)
    reuse = time.perf_counter() - started
    return {
        "ours": statistics.median(ours),
        "bare": statistics.median(bare),
        "reuse": reuse,
        "pages": services.stored_invoice_pdf(invoice).pages,
        "rss": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db_path = ROOT / "var" / "bench" / "pdf.sqlite3"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    setup_django(f"sqlite:///{db_path}")
    import weasyprint

    user, account, product = build_catalog()
    print(
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"median of {args.runs} runs after one warm-up"
    )
    print(
        f"{'lines':>5} {'pages':>5} {'ours (s)':>9} {'bare (s)':>9} {'ratio':>6} {'reuse (ms)':>10} {'peak RSS (MB)':>13}"
    )
    results = {}
    for lines in (10, 100):
        invoice = build_invoice(user, account, product, lines)
        r = measure(invoice, args.runs)
        results[lines] = r
        print(
            f"{lines:>5} {r['pages']:>5} {r['ours']:>9.3f} {r['bare']:>9.3f} {r['ours'] / r['bare']:>5.2f}x "
            f"{r['reuse'] * 1000:>10.1f} {r['rss']:>13.0f}"
        )
    ratio = max(r["ours"] / r["bare"] for r in results.values())
    print(f"overhead ratio (worst) {ratio:.2f}x — target ≤ 1.20x: {'OK' if ratio <= 1.2 else 'MISSED'}")
    print(
        f"peak RSS after 100 lines {results[100]['rss']:.0f} MB — target < 300 MB: "
        f"{'OK' if results[100]['rss'] < 300 else 'MISSED'}"
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
