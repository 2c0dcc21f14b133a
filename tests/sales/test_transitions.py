"""Every (state, action) pair: allowed ones succeed, the others are refused and change nothing."""

from decimal import Decimal

import pytest

from salesapp.core.exceptions import StateError
from salesapp.sales import services
from salesapp.sales.models import Invoice, Quote, SalesOrder, TimelineEvent
from salesapp.sales.states import INVOICE, OPPORTUNITY, ORDER, QUOTE
from tests import factories
from tests.sales.helpers import invoice_in, opportunity_in, order_in, quote_in


def _edit(doc, user, product):
    return services.line_add(document=doc, by=user, product=product, quantity=Decimal("1"))


def _delete(doc, user, product):
    return services.document_delete(document=doc, by=user)


def _assign(doc, user, product):
    return services.document_assign(document=doc, by=user, owner=factories.salesperson("colleague"))


OPPORTUNITY_ACTIONS = {
    "edit": _edit,
    "win": lambda d, u, p: services.opportunity_win(opportunity=d, by=u),
    "lose": lambda d, u, p: services.opportunity_lose(opportunity=d, by=u),
    "reopen": lambda d, u, p: services.opportunity_reopen(opportunity=d, by=u),
    "generate": lambda d, u, p: services.opportunity_generate_invoice(opportunity=d, by=u),
    "set_status": lambda d, u, p: services.document_set_status(document=d, by=u, status=2),
    "delete": _delete,
    "assign": _assign,
}
QUOTE_ACTIONS = {
    "edit": _edit,
    "activate": lambda d, u, p: services.quote_activate(quote=d, by=u),
    "revise": lambda d, u, p: services.quote_revise(quote=d, by=u),
    "close": lambda d, u, p: services.quote_close(quote=d, by=u),
    "win": lambda d, u, p: services.quote_win(quote=d, by=u),
    "convert": lambda d, u, p: services.quote_create_order(quote=d, by=u),
    "delete": _delete,
    "assign": _assign,
}
ORDER_ACTIONS = {
    "edit": _edit,
    "lock": lambda d, u, p: services.lock_pricing(document=d, by=u),
    "unlock": lambda d, u, p: services.use_current_pricing(document=d, by=u),
    "invoice": lambda d, u, p: services.order_create_invoice(order=d, by=u),
    "fulfill": lambda d, u, p: services.order_fulfill(order=d, by=u),
    "cancel": lambda d, u, p: services.order_cancel(order=d, by=u),
    "set_status": lambda d, u, p: services.document_set_status(document=d, by=u, status=2),
    "delete": _delete,
    "assign": _assign,
}
INVOICE_ACTIONS = {
    "edit": _edit,
    "lock": lambda d, u, p: services.lock_pricing(document=d, by=u),
    "unlock": lambda d, u, p: services.use_current_pricing(document=d, by=u),
    "pay": lambda d, u, p: services.invoice_mark_paid(invoice=d, by=u),
    "add_payment": lambda d, u, p: services.payment_record(
        invoice=d, by=u, amount=d.balance_due, action="add_payment"
    ),
    "credit": lambda d, u, p: services.credit_note_create(invoice=d, by=u),
    "cancel": lambda d, u, p: services.invoice_cancel(invoice=d, by=u),
    "set_status": lambda d, u, p: services.invoice_set_status(invoice=d, by=u, status=4),
    "assign": _assign,
}

# The expected outcome of every action, written out with Dynamics 365's numbers (SPEC §4) rather
# than read from states.py, so that a wrong row in the lifecycle table fails here:
# action -> (the states it is allowed in, the (statecode, statuscode) it leads to; None: unchanged).
EXPECTED = {
    "opportunity": {
        "edit": (("open",), None),
        "win": (("open",), (1, 3)),
        "lose": (("open",), (2, 4)),
        "reopen": (("won", "lost"), (0, 1)),
        "generate": (("open", "won"), None),
        "set_status": (("open",), (0, 2)),  # On Hold
        "delete": (("open",), None),
        "assign": (("open", "won", "lost"), None),
    },
    "quote": {
        "edit": (("draft",), None),
        "activate": (("draft",), (1, 2)),
        "revise": (("active",), (3, 7)),
        "close": (("active",), (3, 6)),
        "win": (("active",), (2, 4)),
        "convert": (("active", "won"), (2, 4)),
        "delete": (("draft",), None),
        "assign": (("draft", "active", "won", "closed"), None),
    },
    "order": {
        "edit": (("active",), None),
        "lock": (("active",), None),
        "unlock": (("active",), None),
        "invoice": (("active", "fulfilled"), (4, 100003)),
        "fulfill": (("active",), (3, 100001)),
        "cancel": (("active",), (2, 4)),
        "set_status": (("active",), (0, 2)),  # Pending
        "delete": (("active",), None),
        "assign": (("active", "fulfilled", "canceled", "invoiced"), None),
    },
    "invoice": {
        "edit": (("active",), None),
        "lock": (("active",), None),
        "unlock": (("active",), None),
        "pay": (("active",), (2, 100001)),
        "add_payment": (("paid",), (2, 100001)),  # the rest of the balance: Complete
        "credit": (("active", "paid"), (2, 100001)),  # all of it: nothing left to pay
        "cancel": (("active",), (3, 100003)),
        "set_status": (("active",), (0, 4)),
        "assign": (("active", "paid", "canceled"), None),
    },
}

CASES = (
    [
        ("opportunity", s, a, OPPORTUNITY, OPPORTUNITY_ACTIONS)
        for s in ("open", "won", "lost")
        for a in OPPORTUNITY_ACTIONS
    ]
    + [
        ("quote", s, a, QUOTE, QUOTE_ACTIONS)
        for s in ("draft", "active", "won", "closed")
        for a in QUOTE_ACTIONS
    ]
    + [
        ("order", s, a, ORDER, ORDER_ACTIONS)
        for s in ("active", "fulfilled", "canceled", "invoiced")
        for a in ORDER_ACTIONS
    ]
    + [
        ("invoice", s, a, INVOICE, INVOICE_ACTIONS)
        for s in ("active", "paid", "canceled")
        for a in INVOICE_ACTIONS
    ]
)
BUILDERS = {"opportunity": opportunity_in, "quote": quote_in, "order": order_in, "invoice": invoice_in}


def _counts():
    return (
        Quote.objects.count(),
        SalesOrder.objects.count(),
        Invoice.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("kind", "state", "action", "lifecycle", "actions"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]
)
def test_state_action_matrix(kind, state, action, lifecycle, actions, opportunity, rep, product):
    doc = BUILDERS[kind](state, opportunity=opportunity, user=rep)
    doc.refresh_from_db()
    before_state, before_status, before_version, before_total = (
        doc.state,
        doc.status,
        doc.row_version,
        doc.total_amount,
    )
    before_counts = _counts()
    sources, result = EXPECTED[kind][action]
    assert lifecycle.can(action, doc.state) == (state in sources)
    if state in sources:
        actions[action](doc, rep, product)
        assert _counts() != before_counts, "an allowed action writes a timeline event"
        if action == "delete":  # gone, with its timeline (tests/sales/test_ownership.py: the rest)
            assert not type(doc).objects.filter(pk=doc.pk).exists()
            return
        doc.refresh_from_db()
        assert (doc.state, doc.status) == (result or (before_state, before_status))
    else:
        with pytest.raises(StateError) as refused:
            actions[action](doc, rep, product)
        label = lifecycle.actions[action].label
        assert refused.value.message.startswith(
            f"{label} isn't possible: this {lifecycle.noun} is {lifecycle.state_label(before_state)}"
        )
        doc.refresh_from_db()
        assert (doc.state, doc.status, doc.row_version, doc.total_amount) == (
            before_state,
            before_status,
            before_version,
            before_total,
        )
        assert _counts() == before_counts


def test_the_table_covers_every_action():
    for kind, lifecycle in (
        ("opportunity", OPPORTUNITY),
        ("quote", QUOTE),
        ("order", ORDER),
        ("invoice", INVOICE),
    ):
        # Reminders need an overdue invoice: tests/documents/test_reminders.py
        assert set(EXPECTED[kind]) == set(lifecycle.actions) - {"email", "remind"}


def test_every_state_is_covered():
    covered = {(c[0], c[1]) for c in CASES}
    assert len({s for k, s in covered if k == "quote"}) == len(QUOTE.states)
    assert len({s for k, s in covered if k == "invoice"}) == len(INVOICE.states)
    assert len({s for k, s in covered if k == "opportunity"}) == len(OPPORTUNITY.states)
    # Submitted has no screen action leading to it in Sales Professional; the rest are covered.
    assert len({s for k, s in covered if k == "order"}) == len(ORDER.states) - 1


def test_double_submit_with_the_same_version_is_refused(opportunity, rep):
    from salesapp.core.exceptions import ConcurrentChange

    version = opportunity.row_version
    services.opportunity_generate_quote(opportunity=opportunity, by=rep, expected_version=version)
    with pytest.raises(ConcurrentChange):
        services.opportunity_generate_quote(opportunity=opportunity, by=rep, expected_version=version)
    assert Quote.objects.count() == 1


def test_lost_opportunity_generates_nothing(opportunity, rep):
    services.opportunity_lose(opportunity=opportunity, by=rep)
    with pytest.raises(StateError, match="Lost"):
        services.opportunity_generate_quote(opportunity=opportunity, by=rep)
