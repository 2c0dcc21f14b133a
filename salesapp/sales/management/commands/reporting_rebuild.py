"""`manage.py reporting_rebuild`: recompute the dashboard's summary table from the documents.

The table is kept incrementally by the services; this is for after a bulk load that went around
them (bench/pages.py, an import), a change of base currency, or to check it (`--check`).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from salesapp.reporting import store
from salesapp.sales import figures


class Command(BaseCommand):
    help = "Recompute the dashboard's summary figures (salesapp.reporting) from the documents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare, write nothing: fail if the table is out of date.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if check:
            kept, fresh = store.snapshot(), store.summed(figures.all_figures())
            differ = sum(1 for key in kept.keys() | fresh.keys() if kept.get(key) != fresh.get(key))
            if differ:
                raise CommandError(
                    f"The summary is out of date: {differ} rows differ. Run reporting_rebuild."
                )
            self.stdout.write("The summary is up to date.")
            return
        rows = figures.rebuild()
        self.stdout.write(f"Rebuilt the summary: {rows} rows.")
