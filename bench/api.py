#!/usr/bin/env python
"""Web API throughput: a page of 50 invoices with their lines, under gunicorn (2 workers) on PostgreSQL.

    .venv/bin/python bench/api.py [--seconds 15] [--invoices 1000] [--lines 5]

Creates the database `bench_api` (dropping any old one), migrates, loads the invoices (one built
through the services, the rest copied from it in bulk), starts gunicorn on a free port, sends
`GET /api/data/v9.2/invoices?$top=50&$expand=invoice_details` for a bounded time with `wrk` (or a
threaded Python client when wrk isn't installed), prints requests/second and latency percentiles,
then stops gunicorn and drops the database.
"""

from __future__ import annotations

import os
import sys

# bench/ holds email.py, which would shadow the standard library's email package (urllib, http.client).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB = "bench_api"
SERVER = "postgres://postgres@127.0.0.1:5432"
PATH = "/api/data/v9.2/invoices?%24top=50&%24expand=invoice_details"


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(invoices: int, lines: int) -> str:
    """Migrate and load the data in this process; returns a Bearer token."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    from salesapp.api.models import ApiToken
    from salesapp.core.models import OrganizationSettings
    from tests import factories
    from tests.api.helpers import clone_invoices, invoice_with_lines

    usd = factories.CurrencyFactory()
    org = OrganizationSettings.load()
    org.default_currency = usd
    org.save()
    price_list = factories.PriceListFactory(currency=usd)
    product = factories.PriceListItemFactory(price_list=price_list, amount=Decimal("100.00")).product
    account = factories.AccountFactory(default_price_list=price_list)
    rep = factories.salesperson()
    template = invoice_with_lines(by=rep, customer=account, product=product, lines=lines)
    clone_invoices(template, invoices - 1)
    _, token = ApiToken.issue(user=rep, name="bench")
    connections.close_all()
    return token


def wait_for(port: int, token: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{PATH}", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                body = response.read()
                assert response.status == 200 and body.count(b'"invoicedetailid"') >= 50, body[:300]
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn didn't answer in time")


def run_wrk(port: int, token: str, seconds: int) -> dict[str, str]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            f"http://127.0.0.1:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = {"client": "wrk -t2 -c8", "requests/s": re.search(r"Requests/sec:\s+([\d.]+)", out)[1]}
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        result[f"p{pct}"] = match[1] if match else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non-2xx"] = errors[1] if errors else "0"
    return result


def run_python(port: int, token: str, seconds: int, threads: int = 8) -> dict[str, str]:
    import http.client

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", PATH, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    begin = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - begin
    q = statistics.quantiles(latencies, n=100)
    return {
        "client": f"python, {threads} threads",
        "requests/s": f"{len(latencies) / elapsed:.1f}",
        "p50": f"{q[49] * 1000:.1f}ms",
        "p75": f"{q[74] * 1000:.1f}ms",
        "p90": f"{q[89] * 1000:.1f}ms",
        "p99": f"{q[98] * 1000:.1f}ms",
        "non-2xx": str(failures[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=5)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB}",
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "DJANGO_SETTINGS_MODULE": "salesapp.settings",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("SECRET_KEY", None)  # keep the plain-HTTP shape (no SSL redirect) for a localhost benchmark
    os.environ.update(env)
    admin_sql(f"DROP DATABASE IF EXISTS {DB}")
    admin_sql(f"CREATE DATABASE {DB}")
    gunicorn = None
    try:
        started = time.monotonic()
        token = load(args.invoices, args.lines)
        print(f"loaded {args.invoices} invoices × {args.lines} lines in {time.monotonic() - started:.1f}s")
        port = free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "salesapp.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(port, token)
        result = (
            run_wrk(port, token, args.seconds)
            if shutil.which("wrk")
            else run_python(port, token, args.seconds)
        )
        print(f"GET {PATH}  ({args.seconds}s, gunicorn 2 sync workers, PostgreSQL, {result.pop('client')})")
        for key, value in result.items():
            print(f"  {key:>11}: {value}")
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
