"""Send by Email at scale: 1,000 invoices through 2 real Celery worker processes to a local SMTP server,
against the renderer's own limit measured in the same run.

    .venv/bin/python bench/email.py [--invoices 1000] [--lines 10] [--workers 2] [--concurrency 2]
                                    [--db postgres|sqlite] [--slow-smtp SECONDS]

Needs Redis (CELERY_BROKER_URL or redis://127.0.0.1:6379/15); PostgreSQL (BENCH_PG_URL or
postgres://postgres@127.0.0.1:5432) with `--db postgres` (the default: creates the database
`bench_email` and drops it at the end); `--db sqlite` uses a file under var/bench/.

1. The renderer's own limit: the same invoices' PDFs (HTML from the template, the CII XML, WeasyPrint's
   Factur-X PDF/A-3b — what the workers attach) rendered by plain processes, no delivery machinery —
   invoices per second, with as many processes as the workers have and with one per worker; the
   higher figure is the limit.
2. The run: the invoices queued as bulk sends of 50 (the list page's size) through
   `delivery_queue_many`, `--workers` `celery worker` nodes (`--concurrency` processes each, 2 as
   `make worker` starts them; 1 by default) rendering and sending to an aiosmtpd server. Emails per second, as a
   share of 1 (target ≥ 90 %).
3. None lost, none duplicated: every delivery sent, one message per Message-ID at the server.
4. `--slow-smtp 1`: the server answers each message after 1 s; meanwhile a thread saves another
   invoice through the service every 0.25 s (a page save). p50 / max of those saves (target < 200 ms):
   SMTP must not hold the database.

Prints the load average (1 min) before, during (mean of samples) and after.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called email.py: drop its folder from the path before anything imports the
# standard library's `email` package.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402

DB_NAME = "bench_email"
BATCH = 50
SQLITE_PATH = ROOT / "var" / "bench" / "email.sqlite3"


def load_pdf_bench():
    spec = importlib.util.spec_from_file_location("bench_pdf", ROOT / "bench" / "pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def admin_sql(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def drop_sqlite() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


def build_invoices(user, account, product, count: int, lines: int) -> list:
    """`count` invoices of `lines` lines (bench/pdf.py's e-invoice lines), each one service call."""
    from salesapp.sales import services
    from salesapp.sales.models import Invoice, PaymentTerms

    specs = load_pdf_bench().line_specs(product, lines)
    return [
        services.document_create(
            Invoice, by=user, customer=account, name="Bench", payment_terms=PaymentTerms.NET_30, lines=specs
        )
        for _ in range(count)
    ]


# --- the renderer's own limit ---------------------------------------------------------------------------

_ready = None


def _render_init(ready) -> None:
    global _ready
    _ready = ready
    from django.db import connections

    connections.close_all()  # a connection of its own, not the parent's
    _render(None)  # fonts, templates: not counted
    with ready.get_lock():
        ready.value += 1


def _render(pk) -> int:
    """One invoice's PDF as the worker makes it (the HTML, and with e-invoicing on the CII XML and a
    Factur-X PDF/A-3b), without storing or sending it."""
    from salesapp.core.models import OrganizationSettings
    from salesapp.documents.rendering import document_html, html_to_pdf
    from salesapp.documents.services import facturx_xml
    from salesapp.sales.models import Invoice

    invoice = Invoice.objects.select_related("currency").get(pk=pk) if pk else Invoice.objects.first()
    org = OrganizationSettings.load()
    rendered = document_html(invoice, org=org)
    xml = facturx_xml(rendered.document, org=org, lines=rendered.lines, vat=rendered.vat)
    pdf, _ = html_to_pdf(rendered.html, logo_name=rendered.logo_name, facturx=xml)
    return len(pdf)


def renderer_limit(ids: list, processes: int) -> float:
    """Invoices per second that `processes` processes render, the same PDFs, no delivery machinery."""
    from django.db import connections

    connections.close_all()
    ready = multiprocessing.get_context("fork").Value("i", 0)
    with multiprocessing.get_context("fork").Pool(
        processes, initializer=_render_init, initargs=(ready,)
    ) as pool:
        while ready.value < processes:
            time.sleep(0.05)
        started = time.perf_counter()
        pool.map(_render, ids, chunksize=1)
        return len(ids) / (time.perf_counter() - started)


# --- page saves during the run ----------------------------------------------------------------------------


class SaveProbe(threading.Thread):
    """Saves one invoice through the service every `interval` seconds; records how long each took."""

    def __init__(self, invoice, user, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.invoice, self.user, self.interval = invoice, user, interval
        self.timings: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from salesapp.sales import services
        from salesapp.sales.models import Invoice

        n = 0
        try:
            while not self.stop.is_set():
                invoice = Invoice.objects.get(pk=self.invoice.pk)
                started = time.perf_counter()
                services.document_update(invoice, by=self.user, name=f"Edited while sending {n}")
                self.timings.append(time.perf_counter() - started)
                n += 1
                self.stop.wait(self.interval)
        finally:
            connection.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1, help="processes per worker (make worker: 2)")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--slow-smtp", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument(
        "--limit-sample",
        type=int,
        default=200,
        help="invoices rendered for the limit, before and after the run",
    )
    args = parser.parse_args()

    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    queue = f"salesapp-bench-{uuid.uuid4().hex[:8]}"
    if args.db == "postgres":
        database_url = f"{server}/{DB_NAME}"
        admin_sql(server, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin_sql(server, f"CREATE DATABASE {DB_NAME}")
    else:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        drop_sqlite()
        database_url = f"sqlite:///{SQLITE_PATH}"
    os.environ.update({"CELERY_BROKER_URL": broker, "CELERY_QUEUE": queue})
    bench_pdf = load_pdf_bench()
    bench_pdf.setup_django(database_url)

    from django.db import connections

    from salesapp.documents import batches, services
    from salesapp.documents.kinds import INVOICE
    from salesapp.documents.models import Delivery, DeliveryState, DocumentPdf
    from tests.documents.harness import Worker, start_smtp, wait_until, worker_env

    workers: list[Worker] = []
    controller = None
    try:
        load_before = os.getloadavg()[0]
        user, _manager, account, product = bench_pdf.build_catalog()
        print(f"building {args.invoices} invoices of {args.lines} lines ({args.db}) …", flush=True)
        started = time.perf_counter()
        invoices = build_invoices(user, account, product, args.invoices + 1, args.lines)
        edited, invoices = invoices[0], invoices[1:]  # the one the page-save probe edits
        print(f"built in {time.perf_counter() - started:.0f}s", flush=True)
        ids = [inv.pk for inv in invoices]

        sample = ids[: args.limit_sample]
        pools = sorted({args.workers, args.workers * args.concurrency})
        print(
            f"renderer's own limit: {len(sample)} of the PDFs by {' and by '.join(map(str, pools))} processes …",
            flush=True,
        )
        limits = {n: [renderer_limit(sample, n)] for n in pools}

        controller, smtp = start_smtp()
        smtp.delay = args.slow_smtp
        env = worker_env(
            database_url=database_url,
            broker_url=broker,
            queue=queue,
            smtp_port=controller.port,
            CELERY_VISIBILITY_TIMEOUT="3600",
            CELERY_TASK_SOFT_TIME_LIMIT="600",
            CELERY_TASK_TIME_LIMIT="900",
            LOG_LEVEL="WARNING",
        )
        log_dir = ROOT / "var" / "bench"
        workers = [Worker(env, concurrency=args.concurrency, log_dir=log_dir) for _ in range(args.workers)]
        for worker in workers:
            worker.wait_ready()

        # Warm-up: one email per worker (the first render in a process loads fonts); not counted.
        warm = [
            services.delivery_queue(
                invoice=invoices[i], by=user, to="warmup@fabrikam.example", subject="warm-up"
            )
            for i in range(args.workers * args.concurrency)
        ]
        warm_ids = [d.pk for d in warm]
        assert wait_until(
            lambda: Delivery.objects.filter(pk__in=warm_ids, state=DeliveryState.SENT).count() == len(warm),
            120,
        ), "warm-up emails not sent"
        smtp.messages.clear()
        DocumentPdf.objects.all().delete()  # the workers render every PDF of the run themselves

        probe = SaveProbe(edited, user) if args.slow_smtp else None
        loads: list[float] = []
        started = time.perf_counter()
        if probe:
            probe.start()
        queued_ids, batch_ids = [], []
        for offset in range(0, len(ids), BATCH):  # as bulk sends of one list page each
            batch = batches.delivery_queue_many(
                kind=INVOICE,
                ids=ids[offset : offset + BATCH],
                by=user,
                subject="Invoice {number} from {seller}",
                body="Please find invoice {number} for {total} attached.",
            )
            queued_ids += list(batch.deliveries.values_list("pk", flat=True))
            batch_ids.append(batch.pk)
            loads.append(os.getloadavg()[0])
        queued_in = time.perf_counter() - started

        def settled() -> bool:
            loads.append(os.getloadavg()[0])
            # by batch, not by 1,000 ids: the poll must cost the database (and CPU) next to nothing
            return Delivery.objects.filter(
                batch_id__in=batch_ids, state__in=[DeliveryState.SENT, DeliveryState.FAILED]
            ).count() == len(queued_ids)

        finished = wait_until(settled, 7200, interval=0.5)
        elapsed = time.perf_counter() - started
        if probe:
            probe.stop.set()
            probe.join(10)
        time.sleep(2)  # let any duplicate arrive before counting
        # The limit again after the run, under the load of then: the higher of the two is the limit
        # (so the share is not flattered by a slow moment of the machine).
        for n in pools:
            limits[n].append(renderer_limit(sample, n))
        best = max(pools, key=lambda n: max(limits[n]))
        limit = max(limits[best])

        states = Counter(Delivery.objects.filter(pk__in=queued_ids).values_list("state", flat=True))
        expected = set(Delivery.objects.filter(pk__in=queued_ids).values_list("message_id", flat=True))
        received = Counter(m["Message-ID"].strip() for m in smtp.parsed())
        lost = len(expected - set(received)) + (len(ids) - states.get(DeliveryState.SENT, 0))
        duplicated = sum(n - 1 for n in received.values() if n > 1)
        strays = len(set(received) - expected)
        rate = len(queued_ids) / elapsed
        in_worker = statistics.median(
            DocumentPdf.objects.filter(invoice__in=invoices).values_list("render_ms", flat=True) or [0]
        )
        share = rate / limit
        in_task = statistics.median(
            (sent - since).total_seconds() * 1000
            for sent, since in Delivery.objects.filter(pk__in=queued_ids, sent_at__isnull=False).values_list(
                "sent_at", "sending_since"
            )
        )
        print(
            f"renderer's own limit: {limit:.2f} PDFs/s with {best} processes ("
            + "; ".join(
                f"{n} processes: {before:.2f} before the run, {after:.2f} after"
                for n, (before, after) in limits.items()
            )
            + f"; {len(sample)} PDFs each time)"
        )
        print(
            f"in the workers, median a delivery: {in_task:.0f} ms from claim to sent, {in_worker:.0f} ms of it WeasyPrint"
        )
        print(
            f"queued {len(queued_ids)} in {queued_in:.1f}s (bulk sends of {BATCH}); all settled: {finished}"
        )
        print(
            f"sent {states.get(DeliveryState.SENT, 0)} in {elapsed:.1f}s → {rate:.2f} emails/s "
            f"= {share:.0%} of the renderer's limit"
            + ("" if args.slow_smtp else f" (target ≥ 90%: {'OK' if share >= 0.9 else 'MISSED'})")
        )
        print(
            f"messages received {sum(received.values())}, lost {lost}, duplicated {duplicated}, "
            f"unexpected {strays}; states {dict(states)}; SMTP sessions {smtp.sessions} for "
            f"{len(queued_ids) + len(warm_ids)} messages (warm-up included)"
        )
        if probe:
            p50, p95 = percentile(probe.timings, 0.5) * 1000, percentile(probe.timings, 0.95) * 1000
            worst = max(probe.timings or [0]) * 1000
            over = sum(t >= 0.2 for t in probe.timings)
            print(
                f"page saves during the run (SMTP answering after {args.slow_smtp:g}s): {len(probe.timings)}, "
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms; {over} of them ≥ 200 ms "
                f"(target < 200 ms: {'OK' if worst < 200 else 'MISSED'})"
            )
        during = statistics.mean(loads) if loads else 0.0
        print(
            f"load average (1 min): {load_before:.2f} before, {during:.2f} during, "
            f"{os.getloadavg()[0]:.2f} after; {os.cpu_count()} CPUs"
        )
        ok = finished and lost == 0 and duplicated == 0 and strays == 0
        return 0 if ok else 1
    finally:
        for worker in workers:
            worker.stop()
        if controller is not None:
            controller.stop()
        connections.close_all()
        if args.db == "postgres":
            admin_sql(server, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        else:
            drop_sqlite()
        import redis

        redis.Redis.from_url(broker).delete(queue)


if __name__ == "__main__":
    sys.exit(main())
