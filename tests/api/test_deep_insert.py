"""Deep insert: POST invoices with invoice_details issues the same number of queries for 5 lines as
for 500, and every line lands with its totals (SPEC §5: queries don't grow with the lines)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesapp.sales.models import Invoice

pytestmark = pytest.mark.django_db


def body(account, product, lines: int) -> dict:
    details = []
    for n in range(lines):
        if n % 5 == 4:
            details.append(
                {
                    "isproductoverridden": True,
                    "productdescription": f"Write-in {n}",
                    "priceperunit": Decimal("12.50"),
                    "quantity": Decimal(2),
                    "tax": Decimal("1.00"),
                }
            )
        else:
            details.append(
                {
                    "productid@odata.bind": f"/products({product.pk})",
                    "quantity": Decimal(n % 3 + 1),
                    "manualdiscountamount": Decimal("5.00"),
                }
            )
    return {
        "name": f"Deep insert of {lines}",
        "customerid_account@odata.bind": f"/accounts({account.pk})",
        "invoice_details": details,
    }


def expected_total(lines: int) -> Decimal:
    total = Decimal(0)
    for n in range(lines):
        total += Decimal("26.00") if n % 5 == 4 else Decimal(100 * (n % 3 + 1) - 5)
    return total


def post(boss_api, account, product, lines: int) -> tuple[int, Invoice]:
    with CaptureQueriesContext(connection) as queries:
        reply = boss_api.post("invoices", body(account, product, lines))
    assert reply.status == 204, (reply.status, reply.body)
    key = reply.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    return len(queries), Invoice.objects.get(pk=key)


def test_deep_insert_queries_do_not_grow_with_the_lines(boss_api, account, product):
    post(boss_api, account, product, 1)  # the first invoice also creates its number sequence row
    few, small = post(boss_api, account, product, 5)
    many, large = post(boss_api, account, product, 500)
    assert many == few, f"{few} queries for 5 lines, {many} for 500"
    assert (small.lines.count(), large.lines.count()) == (5, 500)


@pytest.mark.parametrize("lines", [5, 500])
def test_every_line_lands_with_correct_totals(boss_api, account, product, lines):
    _, invoice = post(boss_api, account, product, lines)
    stored = list(invoice.lines.order_by("sequence"))
    assert [x.sequence for x in stored] == list(range(1, lines + 1))
    for n, line in enumerate(stored):
        if n % 5 == 4:
            assert (line.write_in_name, line.amount, line.extended_amount) == (
                f"Write-in {n}",
                Decimal("25.00"),
                Decimal("26.00"),
            )
        else:
            quantity = n % 3 + 1
            assert line.price_per_unit == Decimal("100.00") and line.quantity == quantity
            assert line.amount == Decimal(100 * quantity)
            assert line.extended_amount == Decimal(100 * quantity - 5)
    assert invoice.total_amount == expected_total(lines)
    assert invoice.total_tax == Decimal(lines // 5)
