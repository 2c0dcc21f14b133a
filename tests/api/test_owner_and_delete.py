"""WEBAPI.md Additions "Owner" and "Delete": _ownerid_value, ownerid@odata.bind, systemusers, DELETE."""

import pytest

from salesapp.accounts.identity import systemuser_id, user_pk
from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder, TimelineEvent
from tests import factories
from tests.api.conftest import Api, token_for
from tests.sales.helpers import quote_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    return factories.salesperson("olga")


@pytest.fixture
def other_api(other) -> Api:
    return Api(token_for(other))


def test_the_guid_of_a_user_is_stable_and_names_the_user(rep):
    guid = systemuser_id(rep)
    assert guid == systemuser_id(rep.pk) and guid.version == 8 and user_pk(guid) == rep.pk
    assert rep.systemuser.pk == guid
    assert user_pk("00000000-0000-0000-0000-000000000001") is None


def test_every_owned_record_exposes_ownerid_value(rep_api, rep, opportunity, account):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    guid = str(systemuser_id(rep))
    for path in (f"opportunities({opportunity.pk})", f"quotes({quote.pk})"):
        assert rep_api.get(path).body["_ownerid_value"] == guid
    account.owner = rep
    account.save()
    assert rep_api.get(f"accounts({account.pk})?$select=name,_ownerid_value").body["_ownerid_value"] == guid
    listed = rep_api.get(f"quotes?$filter=_ownerid_value eq {guid}&$select=name,_ownerid_value").body["value"]
    assert [row["quoteid"] for row in listed] == [str(quote.pk)]
    assert rep_api.get(f"quotes?$filter=_ownerid_value eq {systemuser_id(999)}").body["value"] == []


def test_systemusers_are_read_only(rep_api, rep, other):
    guid = str(systemuser_id(other))
    reply = rep_api.get(f"systemusers({guid})")
    assert reply.status == 200, reply.body
    assert reply.body["systemuserid"] == guid
    assert reply.body["fullname"] == "olga" and reply.body["domainname"] == "olga"
    names = [u["domainname"] for u in rep_api.get("systemusers?$select=domainname").body["value"]]
    assert "sally" in names and "olga" in names
    found = rep_api.get("systemusers?$filter=domainname eq 'olga'").body["value"]
    assert [u["systemuserid"] for u in found] == [guid]
    assert rep_api.post("systemusers", {"fullname": "x"}).status == 405
    assert rep_api.patch(f"systemusers({guid})", {"fullname": "x"}).status == 405
    assert rep_api.delete(f"systemusers({guid})").status == 405
    assert rep_api.get(f"systemusers({systemuser_id(999)})").status == 404


def test_ownerid_bind_assigns_through_the_service(rep_api, other_api, rep, other, opportunity):
    bind = {"ownerid@odata.bind": f"/systemusers({systemuser_id(other)})"}
    reply = rep_api.patch(f"opportunities({opportunity.pk})", bind)
    assert reply.status == 204, reply.body
    opportunity.refresh_from_db()
    assert opportunity.owner == other
    assert TimelineEvent.objects.filter(document_id=opportunity.pk, summary="Assigned to olga").exists()
    # the former owner (a salesperson) may no longer give it away: 403, nothing changes
    reply = rep_api.patch(
        f"opportunities({opportunity.pk})", {"ownerid@odata.bind": f"/systemusers({systemuser_id(rep)})"}
    )
    assert reply.status == 403 and "owner or a sales manager" in reply.error
    # with other changes, in one transaction
    reply = other_api.patch(f"opportunities({opportunity.pk})", {"name": "Renamed", **bind})
    assert reply.status == 204, reply.body
    opportunity.refresh_from_db()
    assert opportunity.name == "Renamed" and opportunity.owner == other


def test_ownerid_bind_refusals(rep_api, boss_api, rep, opportunity):
    path = f"opportunities({opportunity.pk})"
    nobody = factories.UserFactory(username="norole")
    cases = [
        ({"ownerid@odata.bind": None}, 400, "can't be cleared"),
        ({"ownerid@odata.bind": f"/systemusers({systemuser_id(999)})"}, 400, "there is no record"),
        ({"ownerid@odata.bind": f"/accounts({opportunity.customer_account_id})"}, 400, "/systemusers"),
        ({"ownerid@odata.bind": f"/systemusers({systemuser_id(nobody)})"}, 400, "sales role"),
        ({"ownerid@odata.bind": f"/systemusers({systemuser_id(rep)})", "name": 5}, 400, ""),
    ]
    for body, status, message in cases:
        reply = boss_api.patch(path, body)
        assert reply.status == status and message in reply.error, (body, reply.status, reply.body)
    opportunity.refresh_from_db()
    assert opportunity.owner == rep and opportunity.name == "Big deal"


def test_create_with_an_owner(rep_api, rep, other, account):
    guid = rep_api.create(
        "opportunities",
        {
            "name": "For Olga",
            "customerid_account@odata.bind": f"/accounts({account.pk})",
            "ownerid@odata.bind": f"/systemusers({systemuser_id(other)})",
        },
    )
    assert Opportunity.objects.get(pk=guid).owner == other


def test_delete_documents(rep_api, other_api, boss_api, rep, opportunity, product):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    # not the owner: 403
    reply = other_api.delete(f"quotes({quote.pk})")
    assert reply.status == 403 and reply.body["error"]["code"] == "0x80040220"
    # invoices are never deleted, whoever asks
    for api in (rep_api, boss_api):
        reply = api.delete(f"invoices({invoice.pk})")
        assert reply.status == 400 and "never deleted" in reply.error
    # an opportunity others refer to: 400 naming them, never an IntegrityError
    reply = rep_api.delete(f"opportunities({opportunity.pk})")
    assert reply.status == 400 and quote.quote_number in reply.error and invoice.invoice_number in reply.error
    # the owner deletes the draft quote and the active order; a manager may too
    assert rep_api.delete(f"quotes({quote.pk})").status == 204
    assert boss_api.delete(f"salesorders({order.pk})").status == 204
    assert (
        not Quote.objects.filter(pk=quote.pk).exists() and not SalesOrder.objects.filter(pk=order.pk).exists()
    )
    assert rep_api.delete(f"quotes({quote.pk})").status == 404
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_delete_refused_by_state_and_if_match(rep_api, rep, opportunity):
    won = quote_in("won", opportunity=opportunity, user=rep)
    reply = rep_api.delete(f"quotes({won.pk})")
    assert reply.status == 400 and "Delete isn't possible: this quote is Won" in reply.error
    draft = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    assert rep_api.delete(f"quotes({draft.pk})", **{"If-Match": 'W/"999"'}).status == 412
    assert rep_api.delete(f"quotes({draft.pk})", **{"If-Match": f'W/"{draft.row_version}"'}).status == 204


def test_lines_are_deleted_by_anyone_who_may_edit_the_document(other_api, rep, opportunity):
    """SPEC §4: lines of editable documents by anyone who may edit it (not only the owner)."""
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    line = quote.lines.first()
    assert other_api.delete(f"quotedetails({line.pk})").status == 204
    services.quote_activate(quote=quote, by=rep)
    line = quote.lines.first()
    reply = other_api.delete(f"quotedetails({line.pk})")
    assert reply.status == 400 and "Editing isn't possible" in reply.error
