"""The dashboard's summary table (salesapp.reporting) always equals a recomputation from the
documents, whatever the services do to them, and `reporting_rebuild` recomputes it."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesapp.reporting import store
from salesapp.reporting.models import DocumentFigure
from salesapp.sales import figures, services
from salesapp.sales.models import Invoice, Opportunity
from salesapp.sales.states import InvoiceState, OpportunityState
from tests import factories

pytestmark = pytest.mark.django_db


def recomputed() -> dict[tuple[object, ...], tuple[int, ...]]:
    """What the table should hold: every document's figure summed, computed without writing."""
    return store.summed(figures.all_figures())


def test_a_random_run_of_service_operations_keeps_the_summary_equal_to_a_recomputation(
    rep, boss, account, product
):
    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€", exchange_rate=Decimal("0.8"))
    rng = random.Random(13)
    users = [rep, boss]
    opps: list[Opportunity] = []
    invoices: list[Invoice] = []

    def new_opportunity() -> None:
        opp = services.document_create(
            Opportunity, by=rng.choice(users), customer=account, name=f"Deal {len(opps)}"
        )
        services.line_add(document=opp, by=rep, product=product, quantity=Decimal(rng.randint(1, 5)))
        opps.append(opp)

    def new_invoice() -> None:
        currency = rng.choice([None, eur])
        extra = {"currency": eur, "price_list": None} if currency else {}
        inv = services.document_create(
            Invoice,
            by=rng.choice(users),
            customer=account,
            name=f"Invoice {len(invoices)}",
            invoice_date=datetime.date(2026, rng.randint(1, 12), rng.randint(1, 28)),
            **extra,
        )
        services.line_add(
            document=inv,
            by=rep,
            write_in_name="Work",
            quantity=Decimal(rng.randint(1, 9)),
            price_per_unit=Decimal(rng.randint(1, 99_999)) / 100,
        )
        invoices.append(inv)

    def fresh(doc):
        return type(doc).objects.get(pk=doc.pk)

    def act_on_opportunity() -> None:
        opp = fresh(rng.choice(opps))
        if opp.state == OpportunityState.OPEN:
            action = rng.choice(["win", "lose", "line", "assign", "delete"])
            if action == "win":
                services.opportunity_win(
                    opportunity=opp,
                    by=boss,
                    actual_revenue=Decimal(rng.randint(1, 10**6)) / 100,
                    close_date=datetime.date(2026, rng.randint(1, 12), 1),
                )
            elif action == "lose":
                services.opportunity_lose(opportunity=opp, by=boss)
            elif action == "line":
                services.line_add(document=opp, by=boss, product=product, quantity=Decimal(1))
            elif action == "assign":
                services.document_assign(document=opp, by=boss, owner=rng.choice(users))
            else:
                services.document_delete(document=opp, by=boss)
                opps.remove(next(o for o in opps if o.pk == opp.pk))
        else:
            services.opportunity_reopen(opportunity=opp, by=boss)

    def act_on_invoice() -> None:
        inv = fresh(rng.choice(invoices))
        if inv.state != InvoiceState.ACTIVE or inv.balance_due <= 0:
            services.document_assign(document=inv, by=boss, owner=rng.choice(users))
            return
        action = rng.choice(["pay_part", "pay_all", "cancel", "edit", "assign"])
        if action == "pay_part":
            services.payment_record(
                invoice=inv, by=boss, amount=(inv.balance_due / 3).quantize(Decimal("0.01"))
            )
        elif action == "pay_all":
            services.invoice_mark_paid(invoice=inv, by=boss)
        elif action == "cancel":
            services.invoice_cancel(invoice=inv, by=boss)
        elif action == "edit":
            services.document_update(
                inv,
                by=boss,
                freight_amount=Decimal(rng.randint(0, 5000)) / 100,
                invoice_date=datetime.date(2025, rng.randint(1, 12), 2),
            )
        else:
            services.document_assign(document=inv, by=boss, owner=rng.choice(users))

    new_opportunity()
    new_invoice()
    for _ in range(60):
        rng.choice([new_opportunity, new_invoice, act_on_opportunity, act_on_invoice, act_on_invoice])()
        assert store.snapshot() == recomputed()
    kinds = set(DocumentFigure.objects.values_list("kind", "state").distinct())
    assert len(kinds) >= 4  # the run went through several states of both kinds


def test_reporting_rebuild_recomputes_what_a_bulk_load_left_out(rep, account, usd):
    services.document_create(Invoice, by=rep, customer=account, name="Through the services")
    # a bulk load that goes around the services (bench/pages.py, an import)
    Invoice.objects.create(
        name="Loaded",
        invoice_number="LOAD-1",
        customer_account=account,
        currency=usd,
        owner=rep,
        total_amount_base=Decimal("12.34"),
    )
    assert store.snapshot() != recomputed()
    with pytest.raises(CommandError, match="out of date"):
        call_command("reporting_rebuild", "--check")
    assert store.snapshot() != recomputed()  # --check writes nothing
    call_command("reporting_rebuild")
    assert store.snapshot() == recomputed()
    call_command("reporting_rebuild", "--check")
    row = DocumentFigure.objects.get(kind="invoice", owner=rep.pk, month=0)
    assert row.count == 1 and store.money(row.total_base) == Decimal("12.34")


def test_a_change_writes_one_upsert_per_key_touched_and_none_when_nothing_counted_changes(rep, boss, account):
    inv = services.document_create(Invoice, by=rep, customer=account, name="One")
    figure = figures.before_write(inv)
    with CaptureQueriesContext(connection) as nothing:
        store.change(figure, figure)
    assert len(nothing) == 0
    with CaptureQueriesContext(connection) as moved:
        services.document_assign(document=inv, by=boss, owner=boss)
    upserts = [q for q in moved.captured_queries if "reporting_documentfigure" in q["sql"]]
    assert len(upserts) == 2  # out of rep's row, into boss's
    assert store.snapshot() == recomputed()
