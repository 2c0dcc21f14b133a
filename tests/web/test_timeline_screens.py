"""The record page's timeline and notes (issue 13): in the users' words, notes added through the htmx
form (escaped), deleted by their author or a manager, refused to others; queries that don't grow with
the number of events and notes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesapp.sales import services
from salesapp.sales.models import Note
from tests import factories

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def add_url(invoice) -> str:
    return reverse("invoice_note_add", args=[invoice.pk])


def test_the_page_shows_an_update_in_the_users_words(client, rep, invoice):
    services.document_update(invoice, by=rep, freight_amount=Decimal("12.5"), payment_terms=1)
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "Freight</span>: $0.00 → $12.50" in timeline
    assert "Payment terms</span>: — → Net 30" in timeline
    assert "freight_amount" not in timeline


def test_a_rep_adds_a_note_by_htmx_and_it_is_escaped(client, rep, invoice):
    client.force_login(rep)
    response = client.post(
        add_url(invoice), {"title": "<b>Call</b>", "text": "line 1\n<script>x</script>"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="note-form"' in html and 'hx-swap-oob="true"' in html  # the form back blank, the timeline OOB
    assert "&lt;b&gt;Call&lt;/b&gt;" in html and "line 1<br>&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html
    note = Note.objects.get()
    assert (note.owner, note.document_id) == (rep, invoice.pk)


def test_a_note_without_javascript_goes_back_to_the_record(client, rep, quote):
    client.force_login(rep)
    response = client.post(reverse("quote_note_add", args=[quote.pk]), {"text": "Plain form"})
    assert response.status_code == 302 and response.url == reverse("quote_detail", args=[quote.pk])
    assert Note.objects.get().text == "Plain form"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": " "}, "Enter the note&#x27;s text."),
        ({"text": "x" * 10_001}, "The note&#x27;s text can be at most 10,000 characters long"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, rep, invoice, data, message):
    client.force_login(rep)
    html = client.post(add_url(invoice), data, **HTMX).content.decode()
    assert message in html and "is-invalid" in html
    assert not Note.objects.exists()


def test_every_record_with_a_timeline_takes_notes(client, boss, rep, opportunity, order, invoice):
    client.force_login(rep)
    credit_note = services.credit_note_create(invoice=invoice, by=boss)
    for name, doc in (
        ("opportunity", opportunity),
        ("order", order),
        ("invoice", invoice),
        ("creditnote", credit_note),
    ):
        page = client.get(reverse(f"{name}_detail", args=[doc.pk])).content.decode()
        assert reverse(f"{name}_note_add", args=[doc.pk]) in page
        client.post(reverse(f"{name}_note_add", args=[doc.pk]), {"text": f"On {name}"})
    assert Note.objects.count() == 4


def test_a_user_without_a_sales_role_is_refused(client, nobody, invoice):
    client.force_login(nobody)
    assert client.post(add_url(invoice), {"text": "Hi"}).status_code == 403
    assert not Note.objects.exists()


def test_another_reps_note_cant_be_deleted_by_a_rep_but_by_a_manager(client, rep, boss, invoice):
    note = services.note_add(document=invoice, by=rep, text="Mine")
    other = factories.salesperson("olga")
    client.force_login(other)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="note-delete"' not in page  # no button for a note they may not delete
    assert client.post(reverse("note_delete", args=[note.pk]), **HTMX).status_code == 403
    assert Note.objects.filter(pk=note.pk).exists()
    client.force_login(boss)
    response = client.post(reverse("note_delete", args=[note.pk]), **HTMX)
    assert response.status_code == 200 and 'id="timeline"' in response.content.decode()
    assert not Note.objects.exists()


def test_the_author_deletes_their_note(client, rep, invoice):
    note = services.note_add(document=invoice, by=rep, text="Mine")
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="note-delete"' in page
    response = client.post(reverse("note_delete", args=[note.pk]))
    assert response.status_code == 302 and not Note.objects.exists()


def test_a_note_url_opened_by_get_is_refused(client, rep, invoice):
    client.force_login(rep)
    assert client.get(add_url(invoice)).status_code == 405


def _page_queries(client, invoice) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("invoice_detail", args=[invoice.pk])).status_code == 200
    return len(ctx)


def test_the_timelines_queries_dont_grow_with_its_events_and_notes(client, rep, boss, invoice):
    client.force_login(rep)
    _page_queries(client, invoice)  # warm caches (organization settings, roles)

    def grow(n: int) -> None:
        for i in range(n):
            services.document_update(invoice, by=rep, freight_amount=Decimal(i + 1))
            services.note_add(document=invoice, by=rep if i % 2 else boss, text=f"Note {i}")

    grow(2)
    few = _page_queries(client, invoice)
    grow(20)
    many = _page_queries(client, invoice)
    assert many == few
