"""Quote and order confirmation PDFs and their Send by Email (issue 12, SPEC §8): the screens (command
bar, compose dialog, Download PDF), the Web API (`GET quotes(<id>)/pdf`, `salesorders(<id>)/pdf`,
`SendQuoteByEmail`, `SendSalesOrderByEmail`), one delivery row per send, the refusals, and the stored
PDF reused until the document changes.
"""

import email
import html
import io
import uuid
from decimal import Decimal
from email import policy

import pypdf
import pytest
from django.test import Client

from salesapp.core.exceptions import StateError
from salesapp.documents import services
from salesapp.documents.models import Delivery, DeliveryState, DocumentPdf
from salesapp.sales import services as sales
from salesapp.sales.models import TimelineEvent, TimelineKind
from tests import factories
from tests.api.conftest import Api, token_for

HX = {"HTTP_HX_REQUEST": "true"}
MISSING = "00000000-0000-0000-0000-000000000000"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def quote(draft_quote, rep):
    """The draft quote, activated: the offer the customer may receive."""
    return sales.quote_activate(quote=draft_quote, by=rep)


@pytest.fixture
def order(quote, rep):
    """The order the active quote became (the quote is Won)."""
    order = sales.quote_create_order(quote=quote, by=rep)
    quote.refresh_from_db()
    return order


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def draft_quote(opportunity, rep):
    """A Draft quote from the conftest opportunity: 2 × 100.00 + write-in 50.00 with 5.00 tax = 255.00."""
    return sales.opportunity_generate_quote(opportunity=opportunity, by=rep)


# Each kind's screens and Web API: (detail page, documents URL prefix, entity set, action, default subject).
SCREENS = {
    "quote": ("/quotes/{pk}/", "/documents/quotes/{pk}", "quotes", "SendQuoteByEmail", "Quote {n}"),
    "salesorder": (
        "/orders/{pk}/",
        "/documents/orders/{pk}",
        "salesorders",
        "SendSalesOrderByEmail",
        "Order confirmation {n}",
    ),
}


@pytest.fixture(params=list(SCREENS))
def document(request):
    """The active quote, or the order made from it (the quote then Won: it may still be sent)."""
    if request.param == "quote":
        return request.getfixturevalue("quote")
    return request.getfixturevalue("order")


def where(document):
    page, base, entity_set, action, subject = SCREENS[document.kind]
    return {
        "page": page.format(pk=document.pk),
        "base": base.format(pk=document.pk),
        "pdf_api": f"{entity_set}({document.pk})/pdf",
        "send_api": f"{entity_set}({document.pk})/Microsoft.Dynamics.CRM.{action}",
        "subject": subject.format(n=document.number) + " from Contoso Ltd",
        "field": {"quote": "quote_id", "salesorder": "sales_order_id"}[document.kind],
    }


# --- the PDFs ------------------------------------------------------------------------------------


def test_quote_pdf_shows_title_number_parties_lines_and_totals(quote, account):
    text = text_of(services.document_pdf(quote))

    assert f"Quote {quote.quote_number}" in text and quote.quote_number.startswith("QUO-")
    assert account.name in text and "Contoso Ltd" in text
    assert "Installation" in text
    assert "Detail amount $250.00" in text and "Total tax $5.00" in text
    assert "Total amount $255.00" in text
    assert "Page 1 of 1" in text
    assert "Invoice" not in text and "PAID" not in text and "Balance due" not in text


def test_order_confirmation_names_the_quote_it_came_from(order, quote):
    text = text_of(services.document_pdf(order))

    assert f"Order confirmation {order.order_number}" in text and order.order_number.startswith("ORD-")
    assert f"Quote {quote.quote_number}" in text
    assert "Total amount $255.00" in text


def test_stored_pdf_is_reused_until_the_document_changes(order, quote, rep, monkeypatch):
    renders = []
    render = services.html_to_pdf
    monkeypatch.setattr(services, "html_to_pdf", lambda html, **kw: renders.append(1) or render(html, **kw))
    first = services.document_pdf(order)
    services.document_pdf(quote)
    row = DocumentPdf.objects.get(sales_order=order)
    assert len(renders) == 2

    assert services.document_pdf(order) == first  # nothing changed: the stored bytes, not a new render
    assert services.document_pdf(quote) and len(renders) == 2
    assert row.quote_id is None and row.invoice_id is None and row.size == len(first)

    sales.line_add(
        document=order, by=rep, write_in_name="Cabling", quantity=Decimal("1"), price_per_unit=Decimal("20")
    )
    order.refresh_from_db()
    second = services.document_pdf(order)

    assert len(renders) == 3
    assert second != first and "Cabling" in text_of(second) and "Total amount $275.00" in text_of(second)
    assert DocumentPdf.objects.filter(sales_order=order).count() == 1  # the same row, re-rendered
    assert DocumentPdf.objects.count() == 2
    assert services.pdf_filename(order) == f"{order.order_number}.pdf"


# --- the screens ---------------------------------------------------------------------------------


def test_command_bar_has_send_by_email_and_download_pdf(document, rep, client_for):
    urls = where(document)

    page = client_for(rep).get(urls["page"]).content.decode()

    assert 'data-testid="send-by-email"' in page and 'data-testid="download-pdf"' in page
    assert f'href="{urls["base"]}/pdf/"' in page
    assert f'hx-get="{urls["base"]}/email/' in page


def test_compose_dialog_has_the_kinds_default_subject_and_message(document, account, rep, client_for):
    urls = where(document)

    page = client_for(rep).get(f"{urls['base']}/email/", **HX).content.decode()

    noun = {"quote": "quote", "salesorder": "order"}[document.kind]
    assert f"Send {noun} {document.number} by email" in page
    assert f'value="{account.email}"' in page
    assert f'value="{urls["subject"]}"' in page
    assert "$255.00" in page  # the message quotes the total
    assert 'name="form_token"' in page and 'name="csrfmiddlewaretoken"' in page


def test_dialog_queues_one_delivery_per_token_and_sends_the_pdf(
    document, rep, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    urls = where(document)
    client = client_for(rep)
    form = {
        "to": "buyer@customer.example",
        "subject": urls["subject"],
        "body": "Hi",
        "form_token": uuid.uuid4(),
    }

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"{urls['base']}/email/", form, **HX)
        replay = client.post(f"{urls['base']}/email/", form, **HX)  # a double click, the same dialog

    assert first.status_code == 200 and first["HX-Trigger"] == "deliveryQueued"
    assert replay.status_code == 200
    delivery = Delivery.objects.get()
    assert getattr(delivery, urls["field"]) == document.pk and delivery.invoice_id is None
    assert delivery.state == DeliveryState.SENT and delivery.created_by == rep
    assert len(mailoutbox) == 1
    parsed = email.message_from_bytes(mailoutbox[0].message().as_bytes(), policy=policy.default)
    assert parsed["Subject"] == urls["subject"] and parsed["To"] == "buyer@customer.example"
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == f"{document.number}.pdf"
    assert document.number in text_of(attachment.get_content())
    assert TimelineEvent.objects.filter(document_id=document.pk, kind=TimelineKind.EMAILED).count() == 1

    # the task again (a redelivered message): the row is sent, nothing goes out twice
    assert services.delivery_attempt(delivery.pk, final_attempt=False).result == "done"
    assert len(mailoutbox) == 1

    listing = client.get(f"{urls['base']}/deliveries/", **HX).content.decode()
    assert "buyer@customer.example" in listing and 'data-state="sent"' in listing


def test_download_pdf_serves_the_stored_pdf(document, rep, client_for):
    urls = where(document)

    response = client_for(rep).get(f"{urls['base']}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'attachment; filename="{document.number}.pdf"' == response["Content-Disposition"]
    row = DocumentPdf.objects.get(**{urls["field"]: document.pk})
    assert bytes(row.pdf) == response.content
    printed = client_for(rep).get(f"{urls['base']}/print/")
    assert printed.status_code == 200 and document.number.encode() in printed.content


def test_a_bad_address_redisplays_the_dialog_naming_the_field(document, rep, client_for):
    urls = where(document)

    response = client_for(rep).post(
        f"{urls['base']}/email/", {"to": "nope", "subject": "S", "form_token": uuid.uuid4()}, **HX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "To: “nope” is not a valid email address." in page and "is-invalid" in page
    assert not Delivery.objects.exists()


def test_a_draft_quote_is_refused_activate_it_first(draft_quote, rep, client_for):
    response = client_for(rep).post(
        f"/documents/quotes/{draft_quote.pk}/email/",
        {"to": "buyer@customer.example", "subject": "S", "form_token": uuid.uuid4()},
        **HX,
    )

    refusal = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Activate the quote first." in refusal
    assert "Send by Email isn't possible: this quote is Draft" in refusal
    draft = Api(token_for(rep)).post(
        f"quotes({draft_quote.pk})/Microsoft.Dynamics.CRM.SendQuoteByEmail", {"To": "a@b.example"}
    )
    assert draft.status == 400 and "Activate the quote first." in draft.error
    with pytest.raises(StateError, match="Activate the quote first"):
        services.delivery_queue(document=draft_quote, by=rep, to="buyer@customer.example", subject="S")
    assert not Delivery.objects.exists()


def test_closed_quotes_are_refused(quote, rep, client_for):
    sales.quote_close(quote=quote, by=rep, status=6)  # Canceled
    quote.refresh_from_db()

    response = client_for(rep).post(
        f"/documents/quotes/{quote.pk}/email/",
        {"to": "buyer@customer.example", "subject": "S", "form_token": uuid.uuid4()},
        **HX,
    )

    refusal = html.unescape(response.content.decode())
    assert "Send by Email isn't possible: this quote is Closed, and it must be Active or Won." in refusal
    assert "Activate the quote first" not in refusal  # a closed quote can't be activated again
    assert not Delivery.objects.exists()


def test_a_canceled_order_is_refused_for_salesperson_and_manager(order, rep, boss, client_for):
    assert _cancel_as(order, rep).status == 403  # canceling is a manager's
    assert _cancel_as(order, boss).status == 204
    order.refresh_from_db()

    for user in (rep, boss):
        response = client_for(user).post(
            f"/documents/orders/{order.pk}/email/",
            {"to": "buyer@customer.example", "subject": "S", "form_token": uuid.uuid4()},
            **HX,
        )
        assert "Send by Email isn't possible: this order is Canceled" in html.unescape(
            response.content.decode()
        )
        reply = Api(token_for(user)).post(
            f"salesorders({order.pk})/Microsoft.Dynamics.CRM.SendSalesOrderByEmail", {"To": "a@b.example"}
        )
        assert reply.status == 400 and "this order is Canceled" in reply.error
    assert not Delivery.objects.exists()
    # the confirmation of a canceled order can still be downloaded (it is what the customer had)
    assert services.document_pdf(order).startswith(b"%PDF")


def _cancel_as(order, user):
    """Cancel Order through the Web API, which checks the lifecycle table's role as the screens do."""
    return Api(token_for(user)).post(
        "CancelSalesOrder",
        {
            "OrderClose": {"salesorderid@odata.bind": f"/salesorders({order.pk})", "subject": "x"},
            "Status": -1,
        },
    )


def test_users_without_a_sales_role_get_403_and_nothing_is_queued(document, db):
    urls = where(document)
    client = Client()
    client.force_login(factories.UserFactory(username="nobody"))

    for path in ("email/", "pdf/", "deliveries/", "print/"):
        assert client.get(f"{urls['base']}/{path}").status_code == 403, path
    posted = client.post(f"{urls['base']}/email/", {"to": "a@b.example", "subject": "S"}, **HX)
    assert posted.status_code == 403
    api = Api(token_for(factories.UserFactory(username="nobody2")))
    assert api.get(urls["pdf_api"]).status == 403
    assert api.post(urls["send_api"], {"To": "a@b.example"}).status == 403
    assert not Delivery.objects.exists() and not DocumentPdf.objects.exists()


def test_a_salesperson_who_is_not_the_owner_may_send(
    document, client_for, django_capture_on_commit_callbacks
):
    other = factories.salesperson("sam")
    assert document.owner_id != other.pk

    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(other).post(
            f"{where(document)['base']}/email/",
            {"to": "buyer@customer.example", "subject": "S", "form_token": uuid.uuid4()},
            **HX,
        )

    assert response["HX-Trigger"] == "deliveryQueued"
    assert Delivery.objects.get().created_by == other


def test_get_of_the_send_urls_is_not_a_server_error(document, rep, client_for):
    urls = where(document)
    api = Api(token_for(rep))

    reply = api.get(urls["send_api"])
    assert reply.status == 405 and reply.error
    assert client_for(rep).get(f"{urls['base']}/email/").status_code == 200  # the full-page dialog
    assert client_for(rep).post(f"{urls['base']}/pdf/").status_code == 405
    assert api.post(urls["pdf_api"]).status == 405
    assert not Delivery.objects.exists()


# --- the Web API ---------------------------------------------------------------------------------


def test_api_pdf(document, rep):
    urls = where(document)
    api = Api(token_for(rep))

    reply = api.get(urls["pdf_api"])

    assert reply.status == 200 and reply.headers["Content-Type"] == "application/pdf"
    assert reply.body.startswith(b"%PDF") and document.number in text_of(reply.body)
    assert f'filename="{document.number}.pdf"' in reply.headers["Content-Disposition"]
    entity_set = urls["pdf_api"].split("(")[0]
    assert api.get(f"{entity_set}({MISSING})/pdf").status == 404


def test_api_send_with_defaults_queues_one_delivery(
    document, rep, account, mailoutbox, django_capture_on_commit_callbacks
):
    urls = where(document)
    api = Api(token_for(rep))

    with django_capture_on_commit_callbacks(execute=True):
        reply = api.post(urls["send_api"], {})

    assert reply.status == 202, reply.body
    delivery = Delivery.objects.get()
    assert reply.body["deliveryid"] == str(delivery.pk)
    assert getattr(delivery, urls["field"]) == document.pk
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.to == account.email
    assert [m.subject for m in mailoutbox] == [urls["subject"]]
    assert mailoutbox[0].attachments[0][0] == f"{document.number}.pdf"


def test_api_send_refusals_name_what_is_wrong(document, rep):
    urls = where(document)
    api = Api(token_for(rep))

    bad = api.post(urls["send_api"], {"To": "not an address"})
    assert bad.status == 400 and "To: “not an address” is not a valid email address." in bad.error
    bad_cc = api.post(urls["send_api"], {"To": "a@b.example", "Cc": ["x@"]})
    assert bad_cc.status == 400 and bad_cc.error.startswith("Cc:")
    no_subject = api.post(urls["send_api"], {"To": "a@b.example", "Subject": " "})
    assert no_subject.status == 400 and no_subject.error.startswith("Subject:")
    wrong_type = api.post(urls["send_api"], {"To": 12})
    assert wrong_type.status == 400 and "To" in wrong_type.error
    assert api.post(f"{urls['send_api'].split('(')[0]}({MISSING})/Microsoft.Dynamics.CRM.x").status == 404
    assert not Delivery.objects.exists()
