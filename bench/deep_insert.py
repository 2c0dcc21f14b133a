#!/usr/bin/env python
"""Deep insert: POST /api/data/v9.2/invoices with 5, 50 and 500 invoice_details, in-process.

    .venv/bin/python bench/deep_insert.py [--runs 3] [--sizes 5,50,500]

Uses a throwaway SQLite database under var/bench/, builds its own data (a manager with an API token,
a currency, a price list with one product at 100.00, a customer), then POSTs invoices with N lines
(every fifth a write-in) through the Django test client, and prints per size the median seconds, the
SQL queries of one POST and the seconds per line, with the machine's load average. Target: 500
lines in under 1 s, and the same number of queries for every size.
"""

from __future__ import annotations

import argparse
import os
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
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)


def build() -> tuple[str, str, str]:
    """(token, account id, product id), through the factories the tests use."""
    from salesapp.api.models import ApiToken
    from salesapp.core.models import OrganizationSettings
    from tests import factories

    usd = factories.CurrencyFactory()
    org = OrganizationSettings.load()
    org.default_currency = usd
    org.save()
    price_list = factories.PriceListFactory(currency=usd)
    product = factories.PriceListItemFactory(price_list=price_list, amount=Decimal("100.00")).product
    account = factories.AccountFactory(default_price_list=price_list)
    boss = factories.manager(username="bench-manager")
    _, token = ApiToken.issue(user=boss, name="bench")
    return token, str(account.pk), str(product.pk)


def body(account: str, product: str, lines: int) -> dict:
    details = [
        {
            "isproductoverridden": True,
            "productdescription": f"Write-in {n}",
            "priceperunit": Decimal("12.50"),
            "quantity": 2,
        }
        if n % 5 == 4
        else {"productid@odata.bind": f"/products({product})", "quantity": n % 3 + 1}
        for n in range(lines)
    ]
    return {
        "name": f"Deep insert {lines}",
        "customerid_account@odata.bind": f"/accounts({account})",
        "invoice_details": details,
    }


def post_once(client, token: str, payload: bytes) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.generic(
            "POST",
            "/api/data/v9.2/invoices",
            data=payload,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        elapsed = time.perf_counter() - started
    if response.status_code >= 300:
        print(f"  POST answered {response.status_code}: {response.content[:300]!r}")
    return elapsed, len(queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="5,50,500")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    db = ROOT / "var" / "bench" / "deep_insert.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    setup_django(f"sqlite:///{db}")
    from django.test import Client

    from salesapp.api.jsonio import dumps

    token, account, product = build()
    client = Client()
    print(
        f"POST /api/data/v9.2/invoices with invoice_details (SQLite, in-process test client, {args.runs} runs)"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    post_once(client, token, dumps(body(account, product, 1)).encode())  # warm-up: URLconf, templates, caches
    print(f"{'lines':>6} {'median s':>9} {'min s':>7} {'queries':>8} {'ms/line':>8}  status")
    for lines in sizes:
        payload = dumps(body(account, product, lines)).encode()
        runs = [post_once(client, token, payload) for _ in range(args.runs)]
        seconds = [r[0] for r in runs]
        statuses = sorted({r[2] for r in runs})
        median = statistics.median(seconds)
        print(
            f"{lines:>6} {median:>9.3f} {min(seconds):>7.3f} {runs[0][1]:>8} {median / lines * 1000:>8.2f}  {statuses}"
        )
    print("target: 500 lines < 1 s; queries the same for every size")
    db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
