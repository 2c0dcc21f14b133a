"""Send by Email can't be sent twice: a double click, a duplicated tab or a replayed POST of one dialog
queues one delivery (the dialog's one-time form token, the same rule as the create forms)."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from salesapp.documents.models import Delivery
from salesapp.sales.models import TimelineEvent, TimelineKind

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client(rep) -> Client:
    client = Client()
    client.force_login(rep)
    return client


def url(invoice) -> str:
    return f"/documents/invoices/{invoice.pk}/email/"


def dialog_values(client: Client, invoice) -> dict[str, str]:
    """What the browser posts: the dialog's fields as the GET filled them, its hidden token included."""
    html = client.get(url(invoice), **HX).content.decode()
    values = dict(re.findall(r'name="(to|cc|subject|form_token)"[^>]*?value="([^"]*)"', html))
    values["body"] = "Hello"
    assert re.fullmatch(r"[0-9a-f-]{36}", values["form_token"]), values
    return values


def test_the_same_dialog_posted_twice_queues_one_delivery(
    client, invoice, mailoutbox, django_capture_on_commit_callbacks
):
    values = dialog_values(client, invoice)

    with django_capture_on_commit_callbacks(execute=True):  # the send runs in-process, after commit
        first = client.post(url(invoice), values, **HX)
        second = client.post(url(invoice), values, **HX)

    delivery = Delivery.objects.get()
    for response in (first, second):
        assert response.status_code == 200 and response["HX-Trigger"] == "deliveryQueued"
        assert f"Email to {delivery.to} queued." in response.content.decode()
    assert TimelineEvent.objects.filter(kind=TimelineKind.EMAIL_QUEUED).count() == 1
    assert len(mailoutbox) == 1


def test_a_replayed_post_without_htmx_redirects_to_the_existing_delivery(client, invoice):
    values = dialog_values(client, invoice)
    client.post(url(invoice), values)

    replay = client.post(url(invoice), values, follow=True)

    assert Delivery.objects.count() == 1
    assert replay.redirect_chain[-1][0] == f"/documents/invoices/{invoice.pk}/deliveries/"
    assert "was already queued; it is not sent twice" in replay.content.decode()


def test_two_dialogs_opened_separately_are_two_sends(client, invoice):
    client.post(url(invoice), dialog_values(client, invoice), **HX)
    client.post(url(invoice), dialog_values(client, invoice), **HX)
    assert Delivery.objects.count() == 2


def test_a_refused_send_leaves_the_token_usable(client, invoice):
    values = dialog_values(client, invoice)
    refused = client.post(url(invoice), {**values, "to": "not an address"}, **HX)
    assert "not a valid email address" in refused.content.decode() and values["form_token"] in (
        refused.content.decode()
    )

    client.post(url(invoice), values, **HX)

    assert Delivery.objects.count() == 1


def test_a_post_without_the_token_queues_nothing_and_asks_to_reopen(client, invoice):
    values = dialog_values(client, invoice)
    del values["form_token"]

    response = client.post(url(invoice), values, **HX)

    assert "The form is out of date: open it again and resubmit." in response.content.decode()
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_dialog_queue_one_delivery(rep, opportunity):
    from salesapp.sales import services

    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    client = Client()
    client.force_login(rep)
    values = dialog_values(client, invoice)
    statuses: list[int] = []
    start = threading.Barrier(2)

    def send() -> None:
        mine = Client()
        mine.force_login(rep)
        start.wait()
        try:
            statuses.append(mine.post(url(invoice), values, **HX).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200, 200]
    assert Delivery.objects.count() == 1
