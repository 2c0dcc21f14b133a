"""(ours) The Web API's credit note documents: GET creditnotes(<id>)/pdf and SendCreditNoteByEmail,
the same service and delivery machinery as the invoice's (WEBAPI.md "Additions", Documents).
"""

from decimal import Decimal

import pytest

from salesapp.documents.models import Delivery, DeliveryState
from salesapp.sales import services as sales
from tests.api.conftest import Api, token_for


@pytest.fixture
def credit_note(invoice, boss):
    line = next(x for x in invoice.lines.all() if x.write_in_name)
    return sales.credit_note_create(
        invoice=invoice,
        by=boss,
        lines=[{"invoice_detail": line.pk, "quantity": Decimal("1")}],
        reason="Refund",
    )


def test_credit_note_pdf(credit_note, rep):
    api = Api(token_for(rep))

    reply = api.get(f"creditnotes({credit_note.pk})/pdf")

    assert reply.status == 200 and reply.headers["Content-Type"] == "application/pdf"
    assert reply.body.startswith(b"%PDF")
    assert f'filename="{credit_note.credit_note_number}.pdf"' in reply.headers["Content-Disposition"]
    missing = api.get("creditnotes(00000000-0000-0000-0000-000000000000)/pdf")
    assert missing.status == 404


def test_send_credit_note_by_email(credit_note, rep, mailoutbox, django_capture_on_commit_callbacks):
    api = Api(token_for(rep))
    url = f"creditnotes({credit_note.pk})/Microsoft.Dynamics.CRM.SendCreditNoteByEmail"

    bad = api.post(url, {"To": "not an address"})
    assert bad.status == 400 and "not a valid email address" in bad.error
    with django_capture_on_commit_callbacks(execute=True):
        reply = api.post(url, {"To": ["ap@customer.example"]})

    assert reply.status == 202, reply.body
    delivery = Delivery.objects.get()
    assert reply.body["deliveryid"] == str(delivery.pk) and delivery.credit_note_id == credit_note.pk
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert mailoutbox[0].subject == f"Credit note {credit_note.credit_note_number} from Contoso Ltd"
    assert mailoutbox[0].attachments[0][0] == f"{credit_note.credit_note_number}.pdf"
