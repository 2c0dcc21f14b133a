"""The formatter's cost per table cell: 10,000 calls of each function (salesapp.core.formatting).

    .venv/bin/python bench/formatting.py [--calls 10000] [--runs 5]

Prints the best of `runs` for each, in ms per `calls`, and for comparison Babel's own
`NumberPattern.apply` and the bare rounding helper. Target: about 20 ms per 10,000 amount calls
(a 100-line products grid formats ~700 cells).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesapp.settings")
    import django

    django.setup()
    from babel import Locale
    from babel.numbers import parse_pattern

    from salesapp.core import formatting as fmt
    from salesapp.pricing import round_half_up

    # stored values: 4 decimals, all different
    values = [(Decimal(i) * Decimal("123.4567")).quantize(Decimal("0.0001")) for i in range(args.calls)]
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 365) for i in range(args.calls)]
    en = Locale.parse("en_US")
    babel_pattern = parse_pattern("#,##0.00")
    cases = {
        "amount en_US": lambda v: fmt.amount(v, 2, locale="en_US"),
        "amount de_DE": lambda v: fmt.amount(v, 2, locale="de_DE"),
        "amount (default locale)": lambda v: fmt.amount(v, 2),
        "money en_US": lambda v: fmt.money(v, 2, symbol="$", locale="en_US"),
        "quantity en_US": lambda v: fmt.quantity(v, locale="en_US"),
        "(pricing.round_half_up alone)": lambda v: round_half_up(v, 2),
        "(Babel NumberPattern.apply alone)": lambda v: babel_pattern.apply(v, en),
    }
    for name, call in cases.items():
        print(f"{name:36} {best(call, values, args.runs):7.1f} ms / {args.calls:,} calls")
    print(
        f"{'day en_US (a year of dates)':36} {best(lambda d: fmt.day(d, locale='en_US'), days, args.runs):7.1f} ms"
    )


def best(call, values, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for value in values:
            call(value)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


if __name__ == "__main__":
    main()
