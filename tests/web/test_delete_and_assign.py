"""Delete and Assign on the screens, and the lists' "My …" views (SPEC §4, §9)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.sales import services
from salesapp.sales.models import Opportunity, Quote, SalesOrder, TimelineEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    return factories.salesperson("olga")


def _page(client, doc):
    kind = {"opportunity": "opportunity", "quote": "quote", "salesorder": "order", "invoice": "invoice"}
    return client.get(reverse(f"{kind[doc.kind]}_detail", args=[doc.pk])).content.decode()


def test_the_owner_sees_delete_with_a_confirmation_and_deleting_goes_back_to_the_list(client, quote, rep):
    client.force_login(rep)
    page = _page(client, quote)
    assert 'data-command="delete"' in page and 'data-testid="dialog-delete"' in page
    assert "Delete this quote? Its products and timeline are deleted with it" in page
    response = client.post(
        reverse("quote_delete", args=[quote.pk]), {"delete-row_version": quote.row_version}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("quote_list")
    assert "Quote deleted." in response.content.decode()
    assert not Quote.objects.filter(pk=quote.pk).exists()


def test_another_salesperson_sees_neither_delete_nor_assign_and_gets_403(client, quote, other):
    client.force_login(other)
    page = _page(client, quote)
    assert 'data-command="delete"' not in page and 'data-command="assign"' not in page
    for name, data in (
        ("quote_delete", {"delete-row_version": quote.row_version}),
        ("quote_assign", {"assign-row_version": quote.row_version, "assign-owner": other.pk}),
    ):
        assert client.post(reverse(name, args=[quote.pk]), data).status_code == 403
    quote.refresh_from_db()
    assert quote.owner.username == "sally"


def test_a_manager_may_delete_and_assign_what_others_own(client, order, boss, other):
    client.force_login(boss)
    page = _page(client, order)
    assert 'data-command="delete"' in page and 'data-command="assign"' in page
    response = client.post(
        reverse("order_assign", args=[order.pk]),
        {"assign-row_version": order.row_version, "assign-owner": other.pk},
    )
    assert response.status_code == 302 and response["Location"] == reverse("order_detail", args=[order.pk])
    order.refresh_from_db()
    assert order.owner == other
    assert "Assigned to olga" in _page(client, order)
    client.post(reverse("order_delete", args=[order.pk]), {"delete-row_version": order.row_version})
    assert not SalesOrder.objects.filter(pk=order.pk).exists()


def test_delete_is_offered_only_where_the_lifecycle_allows_it(client, opportunity, quote, invoice, rep):
    client.force_login(rep)
    activated = services.quote_activate(quote=quote, by=rep)
    assert 'data-command="delete"' not in _page(client, activated)
    assert 'data-command="delete"' not in _page(client, invoice)
    assert 'data-command="assign"' in _page(client, invoice)
    # offered on an open opportunity, but it has a quote: refused with the reason, nothing deleted
    assert 'data-command="delete"' in _page(client, opportunity)
    opportunity.refresh_from_db()
    response = client.post(
        reverse("opportunity_delete", args=[opportunity.pk]),
        {"delete-row_version": opportunity.row_version},
        follow=True,
    )
    assert "This opportunity can&#x27;t be deleted: quote" in response.content.decode()
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()
    # the Active quote can't be deleted by a forged post either
    response = client.post(
        reverse("quote_delete", args=[quote.pk]), {"delete-row_version": activated.row_version}, follow=True
    )
    assert "Delete isn&#x27;t possible: this quote is Active" in response.content.decode()
    assert Quote.objects.filter(pk=quote.pk).exists()


def test_the_assign_dialog_offers_active_sales_users_only(client, quote, rep, other, boss):
    factories.UserFactory(username="norole")
    gone = factories.salesperson("gone")
    gone.is_active = False
    gone.save()
    client.force_login(rep)
    page = _page(client, quote)
    dialog = page[page.index('data-testid="dialog-assign"') :]
    dialog = dialog[: dialog.index("</form>")]
    assert ">olga<" in dialog and ">max<" in dialog and ">sally<" in dialog
    assert "norole" not in dialog and ">gone<" not in dialog
    # a forged post naming a user without a role is refused as a form error; nothing changes
    nobody = factories.UserFactory(username="norole2")
    response = client.post(
        reverse("quote_assign", args=[quote.pk]),
        {"assign-row_version": quote.row_version, "assign-owner": nobody.pk},
    )
    assert response.status_code == 200 and 'data-open-dialog="assign"' in response.content.decode()
    quote.refresh_from_db()
    assert quote.owner == rep


def test_a_stale_delete_is_refused(client, quote, rep):
    client.force_login(rep)
    services.line_add(
        document=quote, by=rep, write_in_name="Extra", quantity=Decimal(1), price_per_unit=Decimal(1)
    )
    response = client.post(reverse("quote_delete", args=[quote.pk]), {"delete-row_version": 1}, follow=True)
    assert "changed after this page was loaded" in response.content.decode()
    assert Quote.objects.filter(pk=quote.pk).exists()
    assert TimelineEvent.objects.filter(document_id=quote.pk).exists()


# --- the "My …" views ----------------------------------------------------------------------------


@pytest.fixture
def deals(account, rep, other):
    mine = services.document_create(Opportunity, by=rep, customer=account, name="Mine open")
    won = services.document_create(Opportunity, by=rep, customer=account, name="Mine won")
    services.opportunity_win(opportunity=won, by=rep)
    theirs = services.document_create(Opportunity, by=other, customer=account, name="Theirs open")
    return mine, won, theirs


def _rows(client, query=""):
    page = client.get(reverse("opportunity_list") + query).content.decode()
    return {n for n in ("Mine open", "Mine won", "Theirs open") if f">{n}<" in page}, page


def test_a_salesperson_starts_on_my_open_opportunities(client, deals, rep):
    client.force_login(rep)
    rows, page = _rows(client)
    assert rows == {"Mine open"}
    assert 'data-testid="list-title">My Open Opportunities<' in page
    assert _rows(client, "?view=open")[0] == {"Mine open", "Theirs open"}
    assert _rows(client, "?view=all")[0] == {"Mine open", "Mine won", "Theirs open"}


def test_a_manager_starts_on_all_and_filters_mean_all(client, deals, rep, boss):
    client.force_login(boss)
    assert _rows(client)[0] == {"Mine open", "Mine won", "Theirs open"}
    assert _rows(client, "?view=my")[0] == set()
    client.force_login(rep)
    assert _rows(client, "?state=1")[0] == {"Mine won"}


@pytest.mark.parametrize("value", ["bogus", "²", "%00", "my%20", "1" * 500])
def test_invalid_view_and_owner_values_are_ignored(client, deals, rep, value):
    client.force_login(rep)
    response = client.get(reverse("opportunity_list") + f"?view={value}")
    assert response.status_code == 200
    assert _rows(client, f"?view={value}")[0] == {"Mine open"}
    assert client.get(reverse("opportunity_list") + f"?owner={value}&view=all").status_code == 200
