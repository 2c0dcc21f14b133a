"""SPEC §7: numbers are unique and gapless even when created concurrently (PostgreSQL and SQLite)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import Invoice, Quote
from tests import factories

THREADS = 8
PER_THREAD = 10


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_are_gapless_under_concurrency():
    usd = factories.CurrencyFactory()
    org = OrganizationSettings.load()
    org.default_currency = usd
    org.save()
    account = factories.AccountFactory()
    user = factories.salesperson()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def create_many() -> None:
        try:
            start.wait()
            for _ in range(PER_THREAD):
                services.document_create(Invoice, by=user, customer=account, name="Concurrent")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create_many) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = sorted(Invoice.objects.values_list("invoice_number", flat=True))
    expected = [f"INV-{n:05d}" for n in range(1, THREADS * PER_THREAD + 1)]
    assert numbers == expected, f"{connection.vendor}: gaps or duplicates"


def test_a_failed_create_leaves_no_gap(account, rep):
    services.document_create(Invoice, by=rep, customer=account, name="First")
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        services.document_create(
            Invoice,
            by=rep,
            customer=account,
            name="",
        )
    services.document_create(Invoice, by=rep, customer=account, name="Second")
    assert list(Invoice.objects.order_by("invoice_number").values_list("invoice_number", flat=True)) == [
        "INV-00001",
        "INV-00002",
    ]


def test_prefixes_come_from_organization_settings(account, rep):
    org = OrganizationSettings.load()
    org.quote_prefix = "Q-"
    org.save()
    quote = services.document_create(Quote, by=rep, customer=account, name="Prefixed")
    assert quote.quote_number == "Q-00001"
    assert services.line_add(
        document=quote, by=rep, write_in_name="x", quantity=Decimal("1"), price_per_unit=Decimal("1")
    )
