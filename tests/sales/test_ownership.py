"""Delete and Assign (SPEC §4, §9): owner / other salesperson / manager × each document type and state."""

from decimal import Decimal

import pytest

from salesapp.accounts.roles import may_manage
from salesapp.core.exceptions import ConcurrentChange, PermissionDeniedError, StateError, ValidationFailed
from salesapp.customers.models import Account
from salesapp.sales import services
from salesapp.sales.models import (
    Invoice,
    Opportunity,
    OpportunityProduct,
    Quote,
    QuoteDetail,
    SalesOrder,
    TimelineEvent,
)
from salesapp.sales.states import QuoteState
from tests import factories
from tests.sales.helpers import invoice_in, opportunity_in, order_in, quote_in

pytestmark = pytest.mark.django_db

BUILDERS = {"opportunity": opportunity_in, "quote": quote_in, "order": order_in, "invoice": invoice_in}
# (kind, state) -> may it be deleted (by someone allowed to)?
DELETABLE = {
    ("opportunity", "open"): True,
    ("opportunity", "won"): False,
    ("opportunity", "lost"): False,
    ("quote", "draft"): True,
    ("quote", "active"): False,
    ("quote", "won"): False,
    ("quote", "closed"): False,
    ("order", "active"): True,
    ("order", "fulfilled"): False,
    ("order", "canceled"): False,
    ("order", "invoiced"): False,
    ("invoice", "active"): False,
    ("invoice", "paid"): False,
    ("invoice", "canceled"): False,
}
WHO = ("owner", "other", "manager")


@pytest.fixture
def other(db):
    return factories.salesperson("olga")


def _who(name, rep, other, boss):
    return {"owner": rep, "other": other, "manager": boss}[name]


def _events(doc):
    return TimelineEvent.objects.filter(document_type=doc.kind, document_id=doc.pk)


@pytest.mark.parametrize(("kind", "state"), list(DELETABLE), ids=[f"{k}-{s}" for k, s in DELETABLE])
@pytest.mark.parametrize("who", WHO)
def test_delete_matrix(kind, state, who, opportunity, rep, other, boss):
    doc = BUILDERS[kind](state, opportunity=opportunity, user=rep)
    doc.refresh_from_db()
    user = _who(who, rep, other, boss)
    model = type(doc)
    before = (model.objects.count(), TimelineEvent.objects.count(), doc.row_version)
    if kind == "invoice":
        with pytest.raises(StateError, match="Invoices are never deleted"):
            services.document_delete(document=doc, by=user)
    elif who == "other":
        with pytest.raises(PermissionDeniedError, match="owner or a sales manager"):
            services.document_delete(document=doc, by=user)
    elif not DELETABLE[(kind, state)]:
        with pytest.raises(StateError, match="Delete isn't possible"):
            services.document_delete(document=doc, by=user)
    else:
        assert _events(doc).exists()
        services.document_delete(document=doc, by=user)
        assert not model.objects.filter(pk=doc.pk).exists()
        assert not _events(doc).exists(), "the deleted document's timeline goes with it"
        return
    doc.refresh_from_db()
    assert (model.objects.count(), TimelineEvent.objects.count(), doc.row_version) == before


@pytest.mark.parametrize(("kind", "state"), list(DELETABLE), ids=[f"{k}-{s}" for k, s in DELETABLE])
@pytest.mark.parametrize("who", WHO)
def test_assign_matrix(kind, state, who, opportunity, rep, other, boss):
    """Any state: a closed deal keeps an owner too. Only the owner or a manager may give it away."""
    doc = BUILDERS[kind](state, opportunity=opportunity, user=rep)
    user = _who(who, rep, other, boss)
    colleague = factories.salesperson("carla")
    if who == "other":
        with pytest.raises(PermissionDeniedError):
            services.document_assign(document=doc, by=user, owner=colleague)
        doc.refresh_from_db()
        assert doc.owner == rep
        return
    version = type(doc).objects.get(pk=doc.pk).row_version
    services.document_assign(document=doc, by=user, owner=colleague)
    doc.refresh_from_db()
    assert doc.owner == colleague and doc.row_version == version + 1
    event = _events(doc).order_by("-at").first()
    assert event.summary == "Assigned to carla" and event.actor == user
    # the new owner may now delete / assign it; the old one (a salesperson) no longer
    assert may_manage(colleague, doc) and not may_manage(rep, doc)


def test_assign_only_to_an_active_user_with_a_sales_role(opportunity, rep):
    nobody = factories.UserFactory(username="nora")
    with pytest.raises(ValidationFailed, match="sales role"):
        services.document_assign(document=opportunity, by=rep, owner=nobody)
    gone = factories.salesperson("gus")
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationFailed, match="active user"):
        services.document_assign(document=opportunity, by=rep, owner=gone)
    opportunity.refresh_from_db()
    assert opportunity.owner == rep


def test_assigning_to_the_owner_changes_nothing(opportunity, rep):
    version, events = opportunity.row_version, _events(opportunity).count()
    services.document_assign(document=opportunity, by=rep, owner=rep)
    opportunity.refresh_from_db()
    assert opportunity.row_version == version and _events(opportunity).count() == events


def test_an_opportunity_with_quotes_orders_or_invoices_is_not_deleted_and_the_refusal_names_them(
    opportunity, rep
):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    with pytest.raises(StateError) as refused:
        services.document_delete(document=opportunity, by=rep)
    message = refused.value.message
    assert f"quote {quote.display_name}" in message and f"order {order.display_name}" in message
    assert "Close it as lost instead" in message
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()
    # the quote and the order are deletable, then the opportunity is
    services.document_delete(document=quote, by=rep)
    services.document_delete(document=order, by=rep)
    services.document_delete(document=opportunity, by=rep)
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()
    assert not OpportunityProduct.objects.filter(opportunity_id=opportunity.pk).exists()


def test_deleting_a_generated_quote_leaves_a_trace_on_the_opportunity(opportunity, rep):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    services.document_delete(document=quote, by=rep)
    assert not QuoteDetail.objects.filter(quote_id=quote.pk).exists()
    assert _events(opportunity).filter(summary=f"Quote {quote.display_name} deleted").exists()


def test_deleting_a_draft_revision_keeps_its_predecessor(opportunity, rep):
    first = quote_in("active", opportunity=opportunity, user=rep)
    draft = services.quote_revise(quote=first, by=rep)
    assert draft.revised_from_id == first.pk and draft.revision_number == 1
    services.document_delete(document=draft, by=rep)
    first.refresh_from_db()
    assert (
        first.state == QuoteState.CLOSED
        and Quote.objects.filter(quote_number=first.quote_number).count() == 1
    )
    assert _events(first).filter(summary__startswith=f"Quote {draft.display_name} deleted").exists()


def test_a_revised_quote_is_not_deleted_even_by_a_manager(opportunity, rep, boss):
    first = quote_in("active", opportunity=opportunity, user=rep)
    services.quote_revise(quote=first, by=rep)
    with pytest.raises(StateError, match="Delete isn't possible: this quote is Closed"):
        services.document_delete(document=first, by=boss)


def test_an_invoiced_order_is_not_deleted(opportunity, rep, boss):
    order = order_in("invoiced", opportunity=opportunity, user=rep)
    with pytest.raises(StateError):
        services.document_delete(document=order, by=boss)
    assert (
        SalesOrder.objects.filter(pk=order.pk).exists() and Invoice.objects.filter(sales_order=order).exists()
    )


def test_a_stale_version_is_refused(opportunity, rep):
    services.line_add(
        document=opportunity, by=rep, write_in_name="Extra", quantity=Decimal(1), price_per_unit=1
    )
    with pytest.raises(ConcurrentChange):
        services.document_delete(document=opportunity, by=rep, expected_version=1)
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_accounts_and_contacts_are_assigned_by_their_owner_or_a_manager(account, rep, boss):
    other = factories.salesperson("olga")
    account.owner = rep
    account.save()
    with pytest.raises(PermissionDeniedError):
        services.record_assign(record=account, by=other, owner=other)
    services.record_assign(record=account, by=rep, owner=other)
    assert Account.objects.get(pk=account.pk).owner == other
    services.record_assign(record=account, by=boss, owner=rep)
    assert Account.objects.get(pk=account.pk).owner == rep
