"""Document PDFs: our pipeline against bare WeasyPrint on the same HTML, for the four document types.

    .venv/bin/python bench/pdf.py [--runs 7] [--profile KIND:LINES]

Uses a throwaway SQLite database under var/bench/, builds the data through the services (an EU
seller with e-invoicing on, a buyer with a VAT id, lines at 20 % and 5.5 % VAT), and for a quote, an
order confirmation, an invoice and a credit note of 10 and of 100 lines prints: the median time of
our pipeline (reprice check, HTML from the template, the CII XML for invoices and credit notes, the
local-only fetcher, WeasyPrint — writing a Factur-X PDF/A-3b with the XML embedded for invoices and
credit notes —, storing the PDF row), the median time of bare WeasyPrint writing a plain PDF of the
same HTML with the same fetcher (`HTML(string=html, url_fetcher=…).write_pdf()`), our ratio (target
≤ 1.2×), the time to serve the stored PDF again, and the peak resident memory of this process (target
< 300 MB). The runs of both are interleaved, so background load hits them alike; the load average is
printed before and after.
`--profile invoice:100` prints a cProfile of our pipeline on that document instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

KINDS = ("quote", "salesorder", "invoice", "creditnote")
SIZES = (10, 100)
# An EU seller with e-invoicing on and a buyer with a VAT id: invoices and credit notes are Factur-X.
SELLER = {"seller_name": "Contoso SAS", "tax_id": "FR40303265045", "einvoicing": True, "bic": "AGRIFRPPXXX"}
SELLER |= {"address_line1": "10 rue de Rivoli", "address_city": "Paris", "address_postalcode": "75001"}
SELLER |= {"address_country": "France", "iban": "FR76 3000 6000 0112 3456 7890 189"}
SELLER |= {"payment_instructions": "Bank transfer", "invoice_footer": "Thank you for your business."}
BUYER = {"name": "Fabrikam GmbH", "email": "ap@fabrikam.example", "tax_id": "DE136695976"}
BUYER |= {"address1_line1": "Hauptstraße 1", "address1_city": "Berlin", "address1_postalcode": "10115"}
BUYER |= {"address1_country": "Germany"}


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "salesapp.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_catalog():  # (user, manager, account, product)
    """A salesperson and a manager, the seller (e-invoicing on), a price list with one product, a buyer."""
    from django.contrib.auth.models import Group, User

    from salesapp.accounts.roles import SALES_MANAGER, SALESPERSON
    from salesapp.catalog import services as catalog
    from salesapp.catalog.models import Currency, PriceList, PriceListItem, Product, ProductState
    from salesapp.core.models import OrganizationSettings
    from salesapp.customers import services as customers
    from salesapp.customers.models import Account

    user, _ = User.objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get_or_create(name=SALESPERSON)[0])
    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get_or_create(name=SALES_MANAGER)[0])
    eur, _ = Currency.objects.get_or_create(
        code="EUR", defaults={"name": "Euro", "symbol": "€", "precision": 2}
    )
    org = OrganizationSettings.load()
    org.default_currency = eur
    org.save()
    catalog.organization_settings_save(by=manager, **SELLER)
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
        by=manager,
        list_price=Decimal("100.00"),
        state=ProductState.ACTIVE,
    )
    price_list = catalog.price_list_save(price_list=PriceList(name="Bench retail", currency=eur), by=manager)
    catalog.price_list_item_save(
        item=PriceListItem(price_list=price_list, product=product, unit=unit, pricing_method=1),
        by=manager,
        amount=Decimal("99.50"),
    )
    account = customers.account_save(account=Account(), by=user, default_price_list=price_list, **BUYER)
    # Read the account again: the in-memory price list still carries the revision from before the item
    # was saved, and documents would be created "priced at" that stale revision (then repriced on export).
    return user, manager, Account.objects.select_related("default_price_list").get(pk=account.pk), product


def line_specs(product, lines: int) -> list[dict]:
    """`lines` lines, catalog at 20 % VAT and write-ins at 5.5 % alternating (valid e-invoice lines)."""
    specs = []
    for i in range(lines):
        if i % 2:
            line = {"write_in_name": f"On-site service, day {i}", "price_per_unit": Decimal("640.00")}
            line |= {"quantity": Decimal("1"), "tax_rate": Decimal("5.5")}
        else:
            line = {"product": product, "quantity": Decimal(i % 7 + 1), "manual_discount": Decimal("5.00")}
            line |= {"tax_rate": Decimal("20")}
        specs.append(line | {"vat_category": "S"})
    return specs


def build_document(kind: str, user, manager, account, product, lines: int):
    """A document of `kind` with `lines` lines (catalog at 20 % VAT and write-ins at 5.5 %, alternating),
    through the services; a credit note credits every line of such an invoice."""
    from salesapp.sales import services
    from salesapp.sales.models import Invoice, PaymentTerms, Quote, SalesOrder

    model = {"quote": Quote, "salesorder": SalesOrder, "invoice": Invoice, "creditnote": Invoice}[kind]
    document = services.document_create(
        model,
        by=user,
        customer=account,
        name=f"Bench {kind} {lines} lines",
        payment_terms=PaymentTerms.NET_30,
    )
    for line in line_specs(product, lines):
        services.line_add(document=document, by=user, **line)
    document.refresh_from_db()
    if kind == "creditnote":
        return services.credit_note_create(invoice=document, by=manager, reason="Returned")
    return document


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process) of one call. On a shared machine the CPU time
    is the steadier figure: other processes' load stretches the wall clock, not our CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def time_pipeline(document) -> tuple[float, float]:
    """One full render through our pipeline (the stored PDF is dropped first so nothing is reused)."""
    from salesapp.documents import services
    from salesapp.documents.kinds import kind_of
    from salesapp.documents.models import DocumentPdf

    DocumentPdf.objects.filter(**kind_of(document).rows_of(document)).delete()
    return timed(lambda: services.document_pdf(document))


def time_bare(html: str, logo_name: str) -> tuple[float, float]:
    """Bare WeasyPrint: the same HTML, base URL and fetcher, a plain PDF."""
    from weasyprint import HTML

    from salesapp.documents.rendering import ASSET_ORIGIN, LocalOnlyFetcher

    fetcher = LocalOnlyFetcher(logo_name=logo_name)
    return timed(lambda: HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).write_pdf())


def is_facturx(pdf: bytes) -> bool:
    """The PDF carries a factur-x.xml that passes the Factur-X XSD (checked outside the timings)."""
    import facturx

    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    if filename != "factur-x.xml" or not facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931"):
        raise SystemExit("an invoice or credit note PDF is not Factur-X: e-invoicing is off or broken")
    return True


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(document, runs: int) -> dict[str, float]:
    from salesapp.documents import services
    from salesapp.documents.rendering import document_html

    rendered = document_html(document)
    time_pipeline(document), time_bare(rendered.html, rendered.logo_name)  # warm: fonts, templates
    ours: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    for run in range(runs):
        # Interleaved, so background load hits both alike, in turns first (neither always follows the
        # other), each after a full garbage collection (neither pays for the other's garbage).
        pair = [
            lambda: ours.append(time_pipeline(document)),
            lambda: bare.append(time_bare(rendered.html, rendered.logo_name)),
        ]
        for measure_one in pair if run % 2 == 0 else reversed(pair):
            gc.collect()
            measure_one()
    row = services.stored_document_pdf(document)
    started = time.perf_counter()
    services.document_pdf(document)
    reuse = time.perf_counter() - started
    return {
        "ours": statistics.median(wall for wall, _ in ours),
        "bare": statistics.median(wall for wall, _ in bare),
        "ours_cpu": statistics.median(cpu for _, cpu in ours),
        "bare_cpu": statistics.median(cpu for _, cpu in bare),
        "reuse": reuse,
        "pages": row.pages,
        "facturx": document.kind in ("invoice", "creditnote") and is_facturx(bytes(row.pdf)),
        "rss": peak_rss_mb(),
    }


def profile(document, runs: int) -> None:
    time_pipeline(document)  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        time_pipeline(document)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("cumulative").print_stats("salesapp|django/db|django/template|lxml|pdf/", 45)


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", metavar="KIND:LINES", help="cProfile our pipeline on one document")
    args = parser.parse_args()
    db_path = ROOT / "var" / "bench" / "pdf.sqlite3"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    setup_django(f"sqlite:///{db_path}")
    import weasyprint

    user, manager, account, product = build_catalog()
    if args.profile:
        kind, lines = args.profile.split(":")
        profile(build_document(kind, user, manager, account, product, int(lines)), args.runs)
        return 0
    print(
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"median of {args.runs} runs after one warm-up; load average {load()}"
    )
    print(
        f"{'document':<23} {'lines':>5} {'pages':>5} {'ours (s)':>9} {'bare (s)':>9} {'ratio':>6} "
        f"{'ours CPU':>9} {'bare CPU':>9} {'ratio':>6} {'reuse (ms)':>10} {'peak RSS (MB)':>13}"
    )
    results = {}
    for kind in KINDS:
        for lines in SIZES:
            document = build_document(kind, user, manager, account, product, lines)
            r = measure(document, args.runs)
            results[kind, lines] = r
            label = f"{kind}{' (Factur-X)' if r['facturx'] else ''}"
            print(
                f"{label:<23} {lines:>5} {r['pages']:>5} {r['ours']:>9.3f} {r['bare']:>9.3f} "
                f"{r['ours'] / r['bare']:>5.2f}x {r['ours_cpu']:>9.3f} {r['bare_cpu']:>9.3f} "
                f"{r['ours_cpu'] / r['bare_cpu']:>5.2f}x {r['reuse'] * 1000:>10.1f} {r['rss']:>13.0f}",
                flush=True,
            )
    worst, (kind, lines) = max((r["ours"] / r["bare"], key) for key, r in results.items())
    worst_cpu, (kind_cpu, lines_cpu) = max((r["ours_cpu"] / r["bare_cpu"], key) for key, r in results.items())
    print(f"load average after {load()}")
    for what, ratio, where in (
        ("wall clock", worst, f"{kind}, {lines} lines"),
        ("CPU time", worst_cpu, f"{kind_cpu}, {lines_cpu} lines"),
    ):
        verdict = "OK" if ratio <= 1.2 else "MISSED"
        print(f"overhead ratio, {what} (worst: {where}) {ratio:.2f}x — target ≤ 1.20x: {verdict}")
    rss = max(r["rss"] for r in results.values())
    print(f"peak RSS {rss:.0f} MB — target < 300 MB: {'OK' if rss < 300 else 'MISSED'}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
