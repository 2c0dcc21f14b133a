"""Acceptance (issue 13): Export to Excel of 100,000 invoices is a real .xlsx with 100,000 data rows, and
the worker's memory stays under 150 MB while it streams (measured in a child process: the growth of its
peak resident memory over the export, after a warm-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from salesapp.sales import services
from salesapp.sales.models import Invoice
from tests.api.helpers import clone_invoices
from tests.services import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 100_000
CHUNK = 10_000  # invoices made at a time
LIMIT_MIB = 150


def test_export_of_100000_invoices_streams_in_under_150_mb(rep, account, tmp_path):
    template = services.document_create(Invoice, by=rep, customer=account, name="Template invoice")
    for start in range(0, ROWS - 1, CHUNK):
        clone_invoices(template, min(CHUNK, ROWS - 1 - start), start=start)
    assert Invoice.objects.count() == ROWS

    out = tmp_path / "invoices.xlsx"
    env = {**os.environ, "DATABASE_URL": database_url(), "SALESAPP_LOG_LEVEL": "WARNING"}
    child = subprocess.run(
        [sys.executable, "-m", "tests.web.export_child", rep.username, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    growth_mib = (figures["peak_kib"] - figures["before_kib"]) / 1024
    print(
        f"export of {ROWS} invoices: {figures['bytes']:,} bytes in {figures['seconds']:.1f} s; resident memory "
        f"{figures['before_kib'] / 1024:.1f} MiB before, peak {figures['peak_kib'] / 1024:.1f} MiB "
        f"(growth {growth_mib:.1f} MiB)"
    )
    assert growth_mib < LIMIT_MIB

    book = load_workbook(out, read_only=True)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    assert header[0] == "Invoice ID"
    assert sum(1 for _ in rows) == ROWS
    book.close()
