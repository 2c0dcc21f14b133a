#!/usr/bin/env python
"""Page timings with a big invoice table (issue 3 acceptance).

Loads 10,000 invoices with ~100,000 lines, then times, in-process with Django's test Client (server
time only, no network), the invoice list (plain, "Overdue Invoices", sorted by Balance Due), an invoice
page with 100 lines, a Paid · Partial invoice page with 3 payments and the dashboard: median and 95th
percentile over N requests each ("SQL ms": the part of one request spent in the database).
Runs once on SQLite (var/bench/pages.sqlite3) and once on PostgreSQL (database `bench_pages`, created
and dropped here; skipped with a message when unreachable).
Target: every median below 50 ms.

At a million (issue 13): `--invoices N` above 10,000 measures PostgreSQL twice — at 10,000 (loaded as
above), then after growing the table to N with INSERT … SELECT generate_series (customers, owners,
names, states, dates and totals spread over the new rows, scaled from the templates' priced totals; the
lines, payments and timeline stay with the first 10,000, the sample the record pages are measured on)
— and prints both side by side with the ratio (target: ≤ 1.5× and every median < 50 ms) and the query
counts (the same at both sizes). SQLite is measured at 10,000 only.

How the rows are made: a few invoices are built through the services (from scratch, with catalog and
write-in lines, discounts and tax); the rest are clones of them with `bulk_create` — same lines, so the
stored totals are exactly the ones the services computed — spread over customers, dates and states
(Active with each status reason, Paid Complete/Partial, Canceled) with the fields those services set:
a fifth in EUR at a rate of 0.92 (so the `_base` twins differ from the amounts), Payment rows (one to
three) for the Paid ones, balance due = total − paid (0 when canceled) and its base twin; the Active
and Partial ones dated so that some are past their due date with a balance (overdue).
A sample of clones is re-checked at the end: totals re-computed from the lines, balance, base twins
and payments as the services would set them.

    .venv/bin/python bench/pages.py [--invoices 10000] [--requests 30] [--only sqlite|postgres]
                                    [--reuse] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds scripts named like stdlib modules (email.py): keep it off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "bench_pages")
STAGE = 10_000  # the first size measured; a larger --invoices grows the table after it
MAX_RATIO = 1.5  # a page at N invoices against the same page at STAGE
TARGET_MS = 50.0
PAGES = (
    "invoice list",
    "list, next page",
    "search number",
    "search name",
    "search customer",
    "status, by total",
    "status, by date",
    "overdue invoices",
    "list by balance due",
    "invoice, 10 lines",
    "invoice, 100 lines",
    "partial, 3 payments",
    "dashboard",
)
# Invoice names (clones and generated rows): "search name" looks for one of them (about 1 in 40).
TOPICS = tuple(
    f"{what} {where}"
    for what in (
        "Hardware refresh",
        "Annual support",
        "Cabling",
        "Licences",
        "Installation",
        "Consulting",
        "Spare parts",
        "Training",
    )
    for where in ("head office", "warehouse", "branch", "data centre", "shop floor")
)
SEARCHED_TOPIC = "cabling data"  # matches "Cabling data centre" only
EUR_RATE = "0.92"  # EUR per USD (the base currency)


# --- parent: run one child per database, print the table -------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument(
        "--lines", type=int, default=10, help="lines per cloned invoice (10 → ~100,000 lines)"
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--reuse", action="store_true", help="SQLite: keep the loaded file of a previous run")
    parser.add_argument("--profile", action="store_true", help="print where each page spends its time")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep the database afterwards")
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    with one_run_at_a_time():
        return run_all(args)


def one_run_at_a_time():  # a context manager
    """Two runs at once would share var/bench/pages.sqlite3 and the bench_pages database (and skew
    each other's timings): the second one waits."""
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def locked():
        lock_dir = ROOT / "var" / "bench"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with open(lock_dir / "pages.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print("Another bench/pages.py run is going on: waiting for it to finish …", flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    return locked()


def run_all(args: argparse.Namespace) -> int:
    results: dict[str, dict] = {}
    for backend in ("sqlite", "postgres"):
        if args.only and backend != args.only:
            continue
        if backend == "postgres" and not pg_reachable():
            print(f"PostgreSQL at {PG_SERVER} is unreachable: skipping it.", flush=True)
            continue
        print(f"== {backend}: loading {args.invoices:,} invoices …", flush=True)
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        if backend == "postgres":
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        cmd = [
            sys.executable,
            __file__,
            "--child",
            backend,
            "--invoices",
            str(args.invoices if backend == "postgres" else min(args.invoices, STAGE)),
            "--lines",
            str(args.lines),
            "--requests",
            str(args.requests),
            *(["--reuse"] if args.reuse else []),
            *(["--profile"] if args.profile else []),
            *(["--keep"] if args.keep else []),
        ]
        proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                results[backend] = json.loads(line[7:])
            else:
                print("   " + line, flush=True)
        if proc.returncode:
            print(f"{backend} run failed (exit {proc.returncode})")
            return proc.returncode
    print_table({b: r["stages"][0] for b, r in results.items()})
    slow = [
        (b, s["data"]["invoices"], p)
        for b, r in results.items()
        for s in r["stages"]
        for p, t in s["pages"].items()
        if t["median"] >= TARGET_MS
    ]
    for backend, result in results.items():
        if len(result["stages"]) > 1:
            print_scale_table(backend, *result["stages"])
    if slow:
        print("Over the target: " + ", ".join(f"{p} on {b} at {n:,}" for b, n, p in slow))
    return 0


def print_scale_table(backend: str, small: dict, large: dict) -> None:
    """The same pages at two sizes, side by side (issue 13: at a million ≤ 1.5× and < 50 ms)."""
    n, m = small["data"]["invoices"], large["data"]["invoices"]
    print()
    print(f"{backend}: {n:,} invoices against {m:,} (grown in {large['data']['grow_s']:.0f} s)")
    print(
        f"{'page':<20} {'median':>8} {'p95':>7} {'SQL':>6} {'q':>3} | {'median':>8} {'p95':>7} {'SQL':>6} "
        f"{'q':>3} | {'ratio':>6}  target"
    )
    for page, a in small["pages"].items():
        b = large["pages"][page]
        ratio = b["median"] / a["median"]
        ok = b["median"] < TARGET_MS and ratio <= MAX_RATIO and a["queries"] == b["queries"]
        print(
            f"{page:<20} {a['median']:>8.1f} {a['p95']:>7.1f} {a['sql_ms']:>6.1f} {a['queries']:>3} | "
            f"{b['median']:>8.1f} {b['p95']:>7.1f} {b['sql_ms']:>6.1f} {b['queries']:>3} | "
            f"{ratio:>5.2f}×  {'ok' if ok else 'MISSED'}"
        )
    print(
        f"(ms; SQL: the database's part of one request; load average {small['loadavg']:.1f} at {n:,} and {large['loadavg']:.1f} at {m:,} on "
        f"{os.cpu_count()} CPUs; {small['requests']} requests per page)"
    )


def print_table(results: dict[str, dict]) -> None:
    if not results:
        return
    print()
    print(
        f"{'database':<10} {'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'SQL ms':>7} {'bytes':>9}  target"
    )
    for backend, result in results.items():
        for page, t in result["pages"].items():
            ok = "ok" if t["median"] < TARGET_MS else "SLOW"
            print(
                f"{backend:<10} {page:<20} {t['median']:>10.1f} {t['p95']:>8.1f} {t['queries']:>8} "
                f"{t['sql_ms']:>7.1f} {t['bytes']:>9,}  {ok}"
            )
        data = result["data"]
        print(
            f"{'':<10} ({data['invoices']:,} invoices, {data['lines']:,} lines, load {data['load_s']:.0f} s, "
            f"{result['requests']} requests per page, load average {result['loadavg']:.1f} on {os.cpu_count()} CPUs)"
        )


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3):
            return True
    except Exception:  # any failure means "skip PostgreSQL"
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


# --- child: one database ------------------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesapp.settings")
    # Plain static storage on both databases: the manifest one needs a collectstatic run first.
    os.environ["STATIC_MANIFEST"] = "0"
    from django.conf import settings

    if args.child == "sqlite":
        bench_dir = Path(settings.VAR_DIR) / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db_file = bench_dir / "pages.sqlite3"
        args.reused = args.reuse and db_file.exists()
        if not args.reused:
            for path in bench_dir.glob("pages.sqlite3*"):
                path.unlink()
        settings.DATABASES["default"]["NAME"] = str(db_file)
    else:
        args.reused = False
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
    settings.DEBUG = False
    import django

    django.setup()
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.child == "postgres" and not args.keep:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.reused:
        user, samples, data = reuse()
    else:
        user, samples, data = load(min(args.invoices, STAGE), args.lines)
    data["load_s"] = time.perf_counter() - started
    call_command("reporting_rebuild", verbosity=0)  # the clones went around the services
    stages = [
        measured(user, samples, data, args, "reused" if args.reused else f"loaded in {data['load_s']:.1f} s")
    ]
    if args.invoices > STAGE and args.child == "postgres":
        started = time.perf_counter()
        grow(args.invoices)
        call_command("reporting_rebuild", verbosity=0)  # so did the grown rows
        grow_s = time.perf_counter() - started
        data = {**counts(), "load_s": data["load_s"], "grow_s": grow_s}
        stages.append(measured(user, samples, data, args, f"grown in {grow_s:.1f} s"))
    print("RESULT " + json.dumps({"stages": stages}), flush=True)
    return 0


def measured(user, samples: dict, data: dict, args: argparse.Namespace, how: str) -> dict:
    settle()
    print(
        f"{data['invoices']:,} invoices ({data['eur']:,} in EUR, {data['with_balance']:,} with a balance due, "
        f"{data['overdue']:,} overdue), {data['lines']:,} lines, {data['payments']:,} payments ({how})",
        flush=True,
    )
    pages = measure(user, samples, args.requests, profile=args.profile)
    return {"pages": pages, "data": data, "requests": args.requests, "loadavg": os.getloadavg()[0]}


def load(count: int, lines_per_invoice: int):  # (user, big invoice, counts)
    import datetime
    import random
    import uuid
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from salesapp.catalog import services as catalog
    from salesapp.catalog.models import Currency, PriceList, PriceListItem, Product, ProductState
    from salesapp.core.models import NumberSequence, OrganizationSettings
    from salesapp.customers import services as customers
    from salesapp.customers.models import Account
    from salesapp.pricing import to_base
    from salesapp.sales import services
    from salesapp.sales.models import (
        Invoice,
        InvoiceDetail,
        Payment,
        PaymentMethod,
        TimelineEvent,
        TimelineKind,
    )
    from salesapp.sales.services.common import lines_of
    from salesapp.sales.services.documents import address_from_customer
    from salesapp.sales.states import InvoiceState, InvoiceStatus
    from tests.factories import manager

    rng = random.Random(7)
    D = Decimal
    today = timezone.localdate()
    with transaction.atomic():
        user = manager("bench")
        usd, _ = Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "symbol": "$"})
        org = OrganizationSettings.load()
        org.default_currency = usd
        org.save()
        group = catalog.unit_group_create(name="Each", base_unit_name="Each", by=user)
        price_list = catalog.price_list_save(price_list=PriceList(), by=user, name="Retail", currency=usd)
        eur = catalog.currency_save(
            currency=Currency(),
            by=user,
            code="EUR",
            name="Euro",
            symbol="€",
            precision=2,
            exchange_rate=D(EUR_RATE),
        )
        eur_price_list = catalog.price_list_save(
            price_list=PriceList(), by=user, name="Retail EUR", currency=eur
        )
        products = []
        for n in range(1, 41):
            product = catalog.product_save(
                product=Product(),
                by=user,
                product_number=f"B-{n:04d}",
                name=f"Bench product {n}",
                unit_group=group,
                default_unit=group.base_unit,
                list_price=D(10 + n * 7),
                standard_cost=D(5 + n),
                current_cost=D(6 + n),
                state=ProductState.ACTIVE,
            )
            for prices in (price_list, eur_price_list):
                catalog.price_list_item_save(
                    item=PriceListItem(),
                    by=user,
                    price_list=prices,
                    product=product,
                    pricing_method=2,
                    percentage=D("95"),
                )
            products.append(product)
        accounts = [
            customers.account_save(
                account=Account(),
                by=user,
                name=f"Customer {n:03d} Ltd",
                email=f"ap{n}@customer{n}.example",
                address1_line1=f"{n} Main Street",
                address1_city="Springfield",
                address1_postalcode=f"{10000 + n}",
                default_price_list=price_list if n <= 160 else eur_price_list,
            )
            for n in range(1, 201)
        ]
        usd_accounts, eur_accounts = accounts[:160], accounts[160:]

        def build(lines: int, customer: Account) -> Invoice:
            """An invoice made the way a user makes one: New → Save → add products."""
            invoice = services.document_create(
                Invoice, by=user, customer=customer, name="Hardware and services", payment_terms=1
            )
            for i in range(lines):
                if i % 5 == 4:
                    services.line_add(
                        document=invoice,
                        by=user,
                        write_in_name=f"Service {i}",
                        quantity=D(1 + i % 3),
                        price_per_unit=D("75.50"),
                        tax=D("6.04"),
                    )
                else:
                    services.line_add(
                        document=invoice,
                        by=user,
                        product=products[(i * 7) % len(products)],
                        quantity=D(1 + i % 6),
                        manual_discount=D(i % 3),
                        tax_rate=D("8.25"),
                    )
            return Invoice.objects.get(pk=invoice.pk)

        big = build(100, accounts[0])
        templates = [build(lines_per_invoice, accounts[n]) for n in range(1, 6)]
        eur_templates = [build(lines_per_invoice, eur_accounts[n]) for n in range(2)]
        template_lines = {t.pk: lines_of(t) for t in (*templates, *eur_templates)}
        assert all(t.exchange_rate == D(EUR_RATE) for t in eur_templates)
        # Paid · Partial with three payments, through the services (Invoice Paid, then Add Payment twice).
        partial = build(lines_per_invoice, eur_accounts[2])
        third = (partial.total_amount / 4).quantize(D("0.01"))
        services.invoice_mark_paid(
            invoice=partial,
            by=user,
            status=InvoiceStatus.PARTIAL,
            amount=third,
            paid_on=today - datetime.timedelta(days=20),
        )
        for days, method in ((10, PaymentMethod.CARD), (2, PaymentMethod.CHECK)):
            services.payment_record(
                invoice=partial,
                by=user,
                amount=third,
                paid_on=today - datetime.timedelta(days=days),
                method=method,
                reference=f"R-{days}",
            )
        partial = Invoice.objects.get(pk=partial.pk)
        assert partial.status == InvoiceStatus.PARTIAL and partial.payments.count() == 3

    skip = {"id", "invoice_number", "customer_account", "customer_contact", "created_on", "modified_on"}
    header_fields = [f.attname for f in Invoice._meta.concrete_fields if f.name not in skip]
    line_fields = [
        f.attname
        for f in InvoiceDetail._meta.concrete_fields
        if f.name not in {"id", "invoice", "created_on", "modified_on"}
    ]
    address_cache = {a.pk: address_from_customer(a) for a in accounts}
    statuses = [
        InvoiceStatus.NEW,
        InvoiceStatus.BILLED,
        InvoiceStatus.BOOKED,
        InvoiceStatus.INSTALLED,
        InvoiceStatus.PARTIALLY_SHIPPED,
    ]
    made = Invoice.objects.count()
    number = NumberSequence.objects.get(name="invoice").last_value
    prefix = OrganizationSettings.load().invoice_prefix
    batch = 500
    cent = D("0.01")  # both currencies have 2 decimals, as has the base one

    def split(amount: Decimal, parts: int) -> list[Decimal]:
        """`amount` as `parts` payments, each more than 0."""
        cuts = sorted(
            (amount * D(str(round(rng.uniform(0.2, 0.8), 4)))).quantize(cent) for _ in range(parts - 1)
        )
        bounds = [D(0), *cuts, amount]
        out = [b - a for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return out if all(x > 0 for x in out) else [amount]

    methods = list(PaymentMethod.values)
    while made < count:
        invoices, lines, events, payments = [], [], [], []
        for _ in range(min(batch, count - made)):
            if rng.random() < 0.2:  # a fifth of the invoices in EUR
                template = eur_templates[made % len(eur_templates)]
                account = eur_accounts[rng.randrange(len(eur_accounts))]
            else:
                template = templates[made % len(templates)]
                account = usd_accounts[rng.randrange(len(usd_accounts))]
            number += 1
            made += 1
            invoice = Invoice(**{name: getattr(template, name) for name in header_fields})
            invoice.id = uuid.uuid4()
            invoice.invoice_number = f"{prefix}{number:05d}"
            invoice.name = rng.choice(TOPICS)
            invoice.customer_account = account
            for key, value in address_cache[account.pk].items():
                setattr(invoice, key, value)
            roll = rng.random()
            # Open invoices are recent (about two in three of them past due), closed ones any age.
            age = rng.randrange(90 if roll < 0.6 or 0.85 <= roll < 0.9 else 400)
            invoice.invoice_date = today - datetime.timedelta(days=age)
            invoice.due_date = invoice.invoice_date + datetime.timedelta(days=30)
            paid = D(0)
            if roll < 0.6:  # Active, any status reason (what invoice_set_status allows)
                invoice.state, invoice.status = InvoiceState.ACTIVE, rng.choice(statuses)
            elif roll < 0.85:  # invoice_mark_paid Complete (after Partial ones for some)
                invoice.state, invoice.status = InvoiceState.PAID, InvoiceStatus.COMPLETE
                paid = invoice.total_amount
            elif roll < 0.9:  # invoice_mark_paid Partial (then Add Payment for some)
                invoice.state, invoice.status = InvoiceState.PAID, InvoiceStatus.PARTIAL
                paid = (invoice.total_amount * D(str(round(rng.uniform(0.1, 0.9), 2)))).quantize(cent)
            else:  # invoice_cancel
                invoice.state, invoice.status = InvoiceState.CANCELED, InvoiceStatus.CANCELED
            if paid:
                parts = split(paid, rng.choice((1, 1, 1, 2, 3)))
                span = max(1, min(age, 60))
                days = sorted((rng.randrange(span) for _ in parts), reverse=True)
                for amount, ago in zip(parts, days, strict=True):
                    paid_on = today - datetime.timedelta(days=ago)
                    payment = Payment(
                        invoice_id=invoice.id,
                        owner=user,
                        amount=amount,
                        amount_base=to_base(amount, invoice.exchange_rate, 2),
                        paid_on=paid_on,
                        method=rng.choice(methods),
                    )
                    payments.append(payment)
                    events.append(
                        TimelineEvent(
                            document_type="invoice",
                            document_id=invoice.id,
                            actor=user,
                            kind=TimelineKind.PAYMENT,
                            summary=f"Payment of {amount} received",
                            details={"payment_id": str(payment.id), "amount": str(amount)},
                        )
                    )
                invoice.date_paid = today - datetime.timedelta(days=days[-1])
            # payments.settle and invoice_cancel: balance, then the base twins of the new amounts
            # (the totals' twins come with the template, priced at the same rate).
            invoice.amount_paid, invoice.amount_credited = paid, D(0)
            invoice.settle_balance()
            invoice.amount_paid_base = to_base(invoice.amount_paid, invoice.exchange_rate, 2)
            invoice.balance_due_base = to_base(invoice.balance_due, invoice.exchange_rate, 2)
            invoices.append(invoice)
            for line in template_lines[template.pk]:
                copy = InvoiceDetail(**{name: getattr(line, name) for name in line_fields})
                copy.id, copy.invoice_id = uuid.uuid4(), invoice.id
                lines.append(copy)
            events.append(
                TimelineEvent(
                    document_type="invoice",
                    document_id=invoice.id,
                    actor=user,
                    kind=TimelineKind.CREATED,
                    summary=f"Created invoice {invoice.invoice_number}",
                )
            )
        with transaction.atomic():
            Invoice.objects.bulk_create(invoices)
            InvoiceDetail.objects.bulk_create(lines, batch_size=2000)
            Payment.objects.bulk_create(payments)
            TimelineEvent.objects.bulk_create(events)
            NumberSequence.objects.filter(name="invoice").update(last_value=number)  # numbers stay gapless

    # A bulk load leaves the planner without statistics (PostgreSQL's autovacuum gets to it later;
    # SQLite only has them after ANALYZE): without them PostgreSQL picks nested loops over 5,000 rows.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # The clones' stored totals must be what the services would compute from their lines, and their
    # payments, balance and base amounts what the payment services would set.
    check_sample(Invoice.objects.order_by("?")[:40])
    check_sample(Invoice.objects.filter(status=InvoiceStatus.PARTIAL).order_by("?")[:10])
    return user, {"big": big, "partial": partial, "small": templates[0]}, counts()


def check_sample(invoices) -> None:
    from decimal import Decimal

    from django.db.models import Sum

    from salesapp.pricing import to_base
    from salesapp.sales.services.common import PricingContext, base_places, compute_totals, lines_of
    from salesapp.sales.states import InvoiceState

    places = base_places()
    checked = 0
    for invoice in invoices:
        name = invoice.invoice_number
        totals = compute_totals(invoice, lines_of(invoice), PricingContext.for_document(invoice))
        assert totals.total_amount == invoice.total_amount, name
        assert totals.total_tax == invoice.total_tax, name
        assert invoice.exchange_rate == invoice.currency.exchange_rate, name
        paid = invoice.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        assert paid == invoice.amount_paid, name
        for payment in invoice.payments.all():
            assert payment.amount_base == to_base(payment.amount, invoice.exchange_rate, places), name
        if invoice.state == InvoiceState.CANCELED:
            assert invoice.balance_due == 0, name
        else:
            assert invoice.balance_due == invoice.total_amount - paid - invoice.amount_credited, name
        for field in invoice.BASE_TWINS:
            expected = to_base(getattr(invoice, field), invoice.exchange_rate, places)
            assert getattr(invoice, f"{field}_base") == expected, f"{name}: {field}_base"
        checked += 1
    assert checked, "nothing to check"


def counts() -> dict:
    from django.db.models import Q
    from django.utils import timezone

    from salesapp.sales import selectors
    from salesapp.sales.models import Invoice, InvoiceDetail, Payment

    invoices = Invoice.objects
    data = {
        "invoices": invoices.count(),
        "lines": InvoiceDetail.objects.count(),
        "payments": Payment.objects.count(),
        "overdue": invoices.filter(selectors.overdue_invoices(timezone.localdate())).count(),
        "with_balance": invoices.filter(selectors.open_invoices()).count(),
        "eur": invoices.filter(~Q(exchange_rate=1)).count(),
    }
    assert data["overdue"] and data["eur"] and data["payments"], data
    return data


def grow(total: int, *, batch: int = 100_000) -> None:
    """PostgreSQL: add invoices with INSERT … SELECT generate_series until there are `total`.

    Each new row starts from one of the priced templates (the clones' sources) and gets its own number,
    name, customer (new accounts, about 50 invoices each, as in the first 10,000), owner (20 reps),
    state and status (as load() spreads them), dates over three years and every money column scaled
    by one factor (so totals stay the sum of their parts up to a cent) with balance and base twins set
    as the payment services would. Indexes are kept during the insert, as in production.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from salesapp.core.models import NumberSequence, OrganizationSettings
    from salesapp.customers.models import Account
    from salesapp.sales.models import Invoice
    from salesapp.sales.states import InvoiceState, InvoiceStatus

    start = Invoice.objects.count()
    if total <= start:
        return
    user_model = get_user_model()
    reps = user_model.objects.bulk_create(
        [user_model(username=f"bench-rep-{n:02d}", is_active=True) for n in range(1, 21)]
    )
    new_accounts = max(1, (total - start) // 50)
    Account.objects.bulk_create(
        [
            Account(
                name=f"Client {n:06d} {('GmbH', 'Ltd', 'Inc', 'SARL', 'BV')[n % 5]}", email=f"ap@c{n}.example"
            )
            for n in range(1, new_accounts + 1)
        ],
        batch_size=5000,
    )
    prefix = OrganizationSettings.load().invoice_prefix
    number = NumberSequence.objects.get(name="invoice").last_value
    table = Invoice._meta.db_table
    money = {f.column for f in Invoice._meta.concrete_fields if f.get_internal_type() == "DecimalField"}
    money -= {"exchange_rate", "discount_percentage"}
    own = {  # column -> SQL over g (the series), t (the template), k (the factor), r (the roll)
        "id": "gen_random_uuid()",
        "invoice_number": "%(prefix)s || CASE WHEN g < 100000 THEN lpad(g::text, 5, '0') ELSE g::text END",
        "name": "(%(topics)s::text[])[1 + floor(random() * %(ntopics)s)::int]",
        "customer_account_id": "a.id",
        "owner_id": "(%(reps)s::int[])[1 + (g %% 20)]",
        "created_on": "now() - make_interval(secs => (%(last)s - g) * 90)",
        "modified_on": "now() - make_interval(secs => (%(last)s - g) * 90)",
        "invoice_date": "(now() - make_interval(secs => (%(last)s - g) * 90))::date",
        "due_date": "(now() - make_interval(secs => (%(last)s - g) * 90))::date + 30",
        "state": f"CASE WHEN r < 0.6 THEN {InvoiceState.ACTIVE} WHEN r < 0.9 THEN {InvoiceState.PAID} "
        f"ELSE {InvoiceState.CANCELED} END",
        "status": f"CASE WHEN r < 0.6 THEN (%(statuses)s::int[])[1 + (g %% 5)] "
        f"WHEN r < 0.85 THEN {InvoiceStatus.COMPLETE} WHEN r < 0.9 THEN {InvoiceStatus.PARTIAL} "
        f"ELSE {InvoiceStatus.CANCELED} END",
        "date_paid": "CASE WHEN r >= 0.6 AND r < 0.9 THEN (now() - make_interval(secs => (%(last)s - g) * 60))::date END",
        "amount_paid": "CASE WHEN r < 0.6 OR r >= 0.9 THEN 0 WHEN r < 0.85 THEN round(t.total_amount * k, 2) "
        "ELSE round(t.total_amount * k / 2, 2) END",
        "amount_credited": "0",
        "first_sent_on": "NULL",
    }
    own["balance_due"] = (
        f"CASE WHEN r >= 0.9 THEN 0 ELSE round(t.total_amount * k, 2) - ({own['amount_paid']}) END"
    )
    own["amount_paid_base"] = f"round(({own['amount_paid']}) / t.exchange_rate, 2)"
    own["balance_due_base"] = f"round(({own['balance_due']}) / t.exchange_rate, 2)"
    for column in money - set(own):
        own[column] = f"round(t.{column} * k, 2)"
    columns = [f.column for f in Invoice._meta.concrete_fields]
    select = ", ".join(own.get(c, f"t.{c}") for c in columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM ("
        # open invoices are recent: past 120 days, 7 in 100 are still Active (see `own["state"]`)
        f"SELECT g, CASE WHEN (%(last)s - g) * 90 > 120 * 86400 THEN 0.57 + random() * 0.43 "
        f"ELSE random() END AS r, round((0.2 + random() * 4)::numeric, 2) AS k, "
        f"1 + floor(random() * %(naccounts)s)::int AS an, "
        f"1 + g %% (SELECT count(*) FROM bench_templates) AS tn FROM generate_series(%(first)s, %(stop)s) AS g"
        f") AS s JOIN bench_templates b ON b.n = s.tn JOIN {table} t ON t.id = b.id "
        f"JOIN bench_accounts a ON a.n = s.an"
    )
    last = number + total - start
    params = {
        "prefix": prefix,
        "topics": list(TOPICS),
        "ntopics": len(TOPICS),
        "naccounts": new_accounts,
        "reps": [u.pk for u in reps],
        "statuses": [
            InvoiceStatus.NEW,
            InvoiceStatus.BILLED,
            InvoiceStatus.BOOKED,
            InvoiceStatus.INSTALLED,
            InvoiceStatus.PARTIALLY_SHIPPED,
        ],
        "last": last,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_accounts AS SELECT row_number() OVER (ORDER BY name)::int AS n, id "
            "FROM customers_account WHERE name LIKE 'Client %%'"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_accounts (n)")
        # the clones' sources: every invoice with lines except the 100-line one and the partial one
        cursor.execute(
            f"CREATE TEMP TABLE bench_templates AS SELECT row_number() OVER (ORDER BY i.invoice_number)::int AS n, "
            f"i.id FROM {table} i WHERE i.invoice_number IN (SELECT invoice_number FROM {table} "
            f"ORDER BY invoice_number LIMIT 8 OFFSET 1) AND i.state = {InvoiceState.ACTIVE}"
        )
        cursor.execute("ANALYZE bench_accounts; ANALYZE bench_templates")
        first = number + 1
        while first <= last:
            stop = min(first + batch - 1, last)
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(sql, {**params, "first": first, "stop": stop})
            print(
                f"   … {stop - number + start:,} invoices ({time.perf_counter() - started:.1f} s)", flush=True
            )
            first = stop + 1
        NumberSequence.objects.filter(name="invoice").update(last_value=last)
        cursor.execute("DROP TABLE bench_accounts; DROP TABLE bench_templates")
        cursor.execute("VACUUM ANALYZE")


def settle() -> None:
    """Measure as a server would run: on a fresh connection, with SQLite's write-ahead log folded
    back into the database file (a 100,000-row bulk load leaves it huge until a checkpoint)."""
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connections.close_all()


def reuse():  # the rows of a previous SQLite run
    from django.contrib.auth.models import User

    from salesapp.sales.models import Invoice

    big = Invoice.objects.get(invoice_number__endswith="00001")
    small = Invoice.objects.get(invoice_number__endswith="00002")  # the first template
    partial = Invoice.objects.get(invoice_number__endswith="00009")  # after big and 7 templates
    return User.objects.get(username="bench"), {"big": big, "partial": partial, "small": small}, counts()


def count_queries(client, url: str) -> tuple[int, float, object]:
    """One request: its number of queries and the time spent in them (ms)."""
    from django.db import connection

    executed: list[float] = []

    def counter(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append(time.perf_counter() - started)

    with connection.execute_wrapper(counter):
        response = client.get(url)
    return len(executed), sum(executed) * 1000, response


def profile_page(client, page: str, url: str) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"--- profile: {page} (3 requests)")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def measure(user, samples: dict, requests: int, *, profile: bool = False) -> dict[str, dict]:
    import re
    from html import unescape

    from django.test import Client
    from django.urls import reverse

    from salesapp.sales.states import InvoiceState

    client = Client()
    client.force_login(user)
    invoice_list = reverse("invoice_list")
    first = client.get(invoice_list).content.decode()
    next_page = invoice_list + unescape(re.search(r'href="([^"]*after=[^"]*)"', first).group(1))
    # An invoice from the middle of the first 10,000 ("05000" also finds 105000, 205000, … at a million).
    number = samples["small"].invoice_number[:-5] + "05000"
    urls = {
        "invoice list": invoice_list,
        "list, next page": next_page,
        "search number": f"{invoice_list}?q={number}",
        "search name": f"{invoice_list}?q={SEARCHED_TOPIC.replace(' ', '+')}",
        "search customer": f"{invoice_list}?customer=Customer+042",
        "status, by total": f"{invoice_list}?view=all&state={InvoiceState.PAID}&sort=-total_amount",
        "status, by date": f"{invoice_list}?view=all&state={InvoiceState.ACTIVE}&sort=-invoice_date",
        "overdue invoices": f"{invoice_list}?view=overdue",
        "list by balance due": f"{invoice_list}?view=all&sort=-balance_due_base",
        "invoice, 10 lines": reverse("invoice_detail", kwargs={"pk": samples["small"].pk}),
        "invoice, 100 lines": reverse("invoice_detail", kwargs={"pk": samples["big"].pk}),
        "partial, 3 payments": reverse("invoice_detail", kwargs={"pk": samples["partial"].pk}),
        "dashboard": reverse("home"),
    }
    assert tuple(urls) == PAGES
    out = {}
    for page, url in urls.items():
        for _ in range(3):  # warm caches (templates, query plans)
            response = client.get(url)
            assert response.status_code == 200, f"{page}: {url} answered {response.status_code}"
        queries, sql_ms, response = count_queries(client, url)
        if profile:
            profile_page(client, page, url)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[page] = {
            "median": statistics.median(times),
            "p95": times[max(0, round(0.95 * len(times)) - 1)],
            "queries": queries,
            "sql_ms": sql_ms,
            "bytes": len(response.content),
        }
    return out


if __name__ == "__main__":
    sys.exit(main())
