"""Two managers at the same moment: payments that together overpay, credit notes that together credit
more than was invoiced. The invoice row lock serializes them (PostgreSQL: SELECT … FOR UPDATE; SQLite:
IMMEDIATE transactions), so the second one sees the first and is refused. Runs on both databases."""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from salesapp.core.exceptions import DomainError
from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import CreditNote, Invoice, InvoiceDetail, Payment
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 2


@pytest.fixture
def invoice() -> Invoice:
    """An invoice of 2 × 100.00 = 200.00 (made here: transactional tests build their own rows)."""
    usd = factories.CurrencyFactory()
    org = OrganizationSettings.load()
    org.default_currency = usd
    org.save()
    price_list = factories.PriceListFactory(currency=usd)
    product = factories.PriceListItemFactory(price_list=price_list, amount=Decimal("100.00")).product
    account = factories.AccountFactory(default_price_list=price_list)
    inv = services.document_create(Invoice, by=factories.salesperson(), customer=account, name="Race")
    services.line_add(document=inv, by=inv.owner, product=product, quantity=Decimal("2"))
    return Invoice.objects.get(pk=inv.pk)


def race(action: Callable[[], object]) -> tuple[int, list[BaseException]]:
    """Run `action` in THREADS threads released together; (successes, refusals). Anything else fails."""
    start = threading.Barrier(THREADS)
    done: list[object] = []
    refused: list[BaseException] = []
    crashed: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            done.append(action())
        except DomainError as exc:  # refused, with the reason
            refused.append(exc)
        except BaseException as exc:  # reported below
            crashed.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not crashed, crashed
    return len(done), refused


def test_two_payments_that_together_overpay_one_is_refused(invoice):
    boss = factories.manager()
    ok, refused = race(lambda: services.payment_record(invoice=invoice, by=boss, amount=Decimal("150.00")))
    assert (ok, len(refused)) == (1, 1), connection.vendor
    assert refused[0].field == "amount" and "balance due" in refused[0].message
    after = Invoice.objects.get(pk=invoice.pk)
    assert (after.amount_paid, after.balance_due) == (Decimal("150.00"), Decimal("50.00"))
    assert Payment.objects.count() == 1


def test_two_credit_notes_that_together_credit_more_than_invoiced_one_is_refused(invoice):
    boss = factories.manager()
    line = InvoiceDetail.objects.get(invoice=invoice)
    chosen = [{"invoice_detail": line.pk, "quantity": Decimal("2")}]
    ok, refused = race(lambda: services.credit_note_create(invoice=invoice, by=boss, lines=chosen))
    assert (ok, len(refused)) == (1, 1), connection.vendor
    assert "credited in full" in refused[0].message
    after = Invoice.objects.get(pk=invoice.pk)
    assert (after.amount_credited, after.balance_due) == (Decimal("200.00"), Decimal("0"))
    assert list(CreditNote.objects.values_list("credit_note_number", flat=True)) == ["CN-00001"]
