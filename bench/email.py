"""Send by Email throughput: 200 invoices through 2 real Celery worker processes to a local SMTP server.

    .venv/bin/python bench/email.py [--invoices 200] [--lines 10]

Needs Redis (CELERY_BROKER_URL or redis://127.0.0.1:6379/15) and PostgreSQL (BENCH_PG_URL or
postgres://postgres@127.0.0.1:5432). Creates the database `bench_email`, drops it at the end.
Prints emails per second against the renderer's own limit (2 workers ÷ the median render time of
one invoice, measured here first; target ≥ 80 %), and checks that none was lost or duplicated:
every delivery sent, one message per delivery received, Message-IDs all distinct.
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
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402

DB_NAME = "bench_email"


def load_pdf_bench():
    spec = importlib.util.spec_from_file_location("bench_pdf", ROOT / "bench" / "pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def admin_sql(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    queue = f"salesapp-bench-{uuid.uuid4().hex[:8]}"
    database_url = f"{server}/{DB_NAME}"
    admin_sql(server, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(server, f"CREATE DATABASE {DB_NAME}")
    os.environ.update({"CELERY_BROKER_URL": broker, "CELERY_QUEUE": queue})
    bench_pdf = load_pdf_bench()
    bench_pdf.setup_django(database_url)

    from django.db import connections

    from salesapp.documents import services
    from salesapp.documents.models import Delivery, DeliveryState
    from tests.documents.harness import Worker, start_smtp, wait_until, worker_env

    workers: list[Worker] = []
    controller = None
    try:
        user, account, product = bench_pdf.build_catalog()
        print(f"building {args.invoices} invoices of {args.lines} lines …", flush=True)
        invoices = [bench_pdf.build_invoice(user, account, product, args.lines) for _ in range(args.invoices)]
        render = statistics.median(bench_pdf.time_pipeline(invoices[0]) for _ in range(6))
        from salesapp.documents.models import DocumentPdf

        DocumentPdf.objects.all().delete()  # the workers render every PDF themselves

        controller, smtp = start_smtp()
        env = worker_env(
            database_url=database_url,
            broker_url=broker,
            queue=queue,
            smtp_port=controller.port,
            CELERY_VISIBILITY_TIMEOUT="900",
            LOG_LEVEL="WARNING",
        )
        log_dir = ROOT / "var" / "bench"
        workers = [Worker(env, concurrency=1, log_dir=log_dir) for _ in range(args.workers)]
        for worker in workers:
            worker.wait_ready()

        # Warm-up: one email per worker (first render in a process sets up fonts); not counted.
        warm = [
            services.delivery_queue(
                invoice=invoices[i], by=user, to="warmup@fabrikam.example", subject="warm-up"
            )
            for i in range(args.workers)
        ]
        assert wait_until(
            lambda: (
                Delivery.objects.filter(pk__in=[d.pk for d in warm], state=DeliveryState.SENT).count()
                == len(warm)
            ),
            120,
        ), "warm-up emails not sent"
        smtp.messages.clear()
        DocumentPdf.objects.all().delete()
        warm_ids = [d.pk for d in warm]

        started = time.perf_counter()
        queued = [
            services.delivery_queue(
                invoice=inv,
                by=user,
                to="ap@fabrikam.example",
                subject=f"Invoice {inv.invoice_number} from Contoso Ltd",
                body="Attached.",
            )
            for inv in invoices
        ]
        queued_in = time.perf_counter() - started
        ids = [d.pk for d in queued]

        def settled() -> bool:
            return Delivery.objects.filter(
                pk__in=ids, state__in=[DeliveryState.SENT, DeliveryState.FAILED]
            ).count() == len(ids)

        finished = wait_until(settled, 1800, interval=0.25)
        elapsed = time.perf_counter() - started
        time.sleep(2)  # let any duplicate arrive before counting

        states = Counter(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True))
        expected = set(Delivery.objects.filter(pk__in=ids).values_list("message_id", flat=True))
        received = Counter(m["Message-ID"].strip() for m in smtp.parsed())
        lost = len(expected - set(received)) + (len(ids) - states.get(DeliveryState.SENT, 0))
        duplicated = sum(n - 1 for n in received.values() if n > 1)
        strays = len(set(received) - expected)
        rate = len(ids) / elapsed
        # The renderer's own limit, measured where the work ran: the WeasyPrint time each worker
        # recorded on the PDF rows it made during the run (same load, same processes).
        in_worker = (
            statistics.median(
                DocumentPdf.objects.filter(invoice__in=invoices).values_list("render_ms", flat=True)
            )
            / 1000
        )
        limit = args.workers / in_worker

        print(
            f"render time, median: {render * 1000:.0f} ms here before the run (whole pipeline), "
            f"{in_worker * 1000:.0f} ms in the workers during the run (WeasyPrint)"
        )
        print(
            f"renderer's limit with {args.workers} workers: {limit:.2f} emails/s (2 ÷ in-worker render time); "
            f"{args.workers / render:.2f} emails/s from the time measured here"
        )
        print(f"queued {len(ids)} in {queued_in:.2f}s; all settled: {finished}; states {dict(states)}")
        print(
            f"sent {states.get(DeliveryState.SENT, 0)} in {elapsed:.1f}s → {rate:.2f} emails/s "
            f"= {rate / limit:.0%} of the renderer's limit (target ≥ 80%: {'OK' if rate / limit >= 0.8 else 'MISSED'})"
        )
        print(
            f"messages received {sum(received.values())}, lost {lost}, duplicated {duplicated}, "
            f"unexpected {strays}; warm-up deliveries {len(warm_ids)} (not counted)"
        )
        ok = finished and lost == 0 and duplicated == 0 and strays == 0
        return 0 if ok else 1
    finally:
        for worker in workers:
            worker.stop()
        if controller is not None:
            controller.stop()
        connections.close_all()
        admin_sql(server, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        import redis

        redis.Redis.from_url(broker).delete(queue)


if __name__ == "__main__":
    sys.exit(main())
