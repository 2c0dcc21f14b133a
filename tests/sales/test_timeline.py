"""The timeline in the users' words (issue 13): updates store each field's value before and after and
are read with its label and in its format; emails, payments, credit notes and conversions are
activities; notes are added and deleted through their service by whoever may."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from salesapp.core import formatting as fmt
from salesapp.core.exceptions import PermissionDeniedError, ValidationFailed
from salesapp.documents import services as documents
from salesapp.sales import services
from salesapp.sales.models import NOTE_TEXT_MAX, Invoice, Note, PaymentMethod, TimelineEvent, TimelineKind
from salesapp.sales.services.notes import note_add, note_delete
from salesapp.sales.views import timeline
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(opportunity, rep) -> Invoice:
    return services.opportunity_generate_invoice(opportunity=opportunity, by=rep)


def updates(document) -> list[timeline.Entry]:
    return [e for e in timeline.entries(document, None) if e.kind == TimelineKind.UPDATED and e.changes]


def test_an_update_is_stored_as_fields_with_before_and_after(invoice, rep):
    services.document_update(
        invoice, by=rep, freight_amount=Decimal("12.5"), discount_percentage=Decimal("5")
    )
    event = TimelineEvent.objects.filter(document_id=invoice.pk, kind=TimelineKind.UPDATED).get()
    assert sorted(event.details["changes"], key=lambda c: c["field"]) == [
        {"field": "discount_percentage", "before": "0.00", "after": "5"},
        {"field": "freight_amount", "before": "0.0000", "after": "12.5"},
    ]
    assert "discount_percentage" not in event.summary and "Freight" in event.summary  # labels, not names


def test_an_update_reads_in_labels_with_money_in_the_documents_currency(invoice, rep):
    services.document_update(
        invoice, by=rep, freight_amount=Decimal("1234.5"), discount_percentage=Decimal("5")
    )
    (entry,) = updates(invoice)
    changes = {c.label: (c.before, c.after) for c in entry.changes}
    assert changes == {
        "Header discount %": ("0", "5"),
        "Freight": ("$0.00", "$1,234.50"),
    }


def test_option_sets_dates_and_related_records_read_as_the_page_shows_them(invoice, rep, price_list):
    other_list = factories.PriceListFactory(currency=invoice.currency, name="Wholesale")
    services.document_update(
        invoice,
        by=rep,
        payment_terms=3,
        invoice_date=datetime.date(2026, 1, 5),
        due_date=datetime.date(2026, 2, 19),
        price_list=other_list,
    )
    (entry,) = updates(invoice)
    changes = {c.label: (c.before, c.after) for c in entry.changes}
    assert changes["Payment terms"] == ("—", "Net 45")
    assert changes["Due date"][1] == fmt.day(datetime.date(2026, 2, 19)) == "Feb 19, 2026"
    assert changes["Price list"] == (price_list.name, "Wholesale")


def test_the_locale_of_the_reader_formats_what_was_stored(invoice, rep):
    services.document_update(invoice, by=rep, freight_amount=Decimal("1234.5"))
    with fmt.using_locale("de_DE"):
        (entry,) = updates(invoice)
    assert (entry.changes[0].before, entry.changes[0].after) == ("0,00\xa0$", "1.234,50\xa0$")


def test_an_opportunitys_name_is_its_topic_and_an_unchanged_save_records_nothing(opportunity, rep):
    services.document_update(opportunity, by=rep, name="Bigger deal")
    (entry,) = updates(opportunity)
    assert [(c.label, c.before, c.after) for c in entry.changes] == [("Topic", "Big deal", "Bigger deal")]
    count = TimelineEvent.objects.filter(document_id=opportunity.pk).count()
    services.document_update(opportunity, by=rep, name="Bigger deal")
    assert TimelineEvent.objects.filter(document_id=opportunity.pk).count() == count


def test_an_old_event_without_structured_details_keeps_its_summary(invoice, rep):
    TimelineEvent.objects.create(
        document_type=invoice.kind,
        document_id=invoice.pk,
        kind=TimelineKind.UPDATED,
        summary="Changed discount_percentage, freight_amount",
    )
    TimelineEvent.objects.create(
        document_type=invoice.kind,
        document_id=invoice.pk,
        kind=TimelineKind.PAYMENT,
        summary="Payment of $5.00 received",
        details={"amount": "5.00"},  # before the method was stored
    )
    texts = [e.text for e in timeline.entries(invoice, None)]
    assert "Changed discount_percentage, freight_amount" in texts
    assert "Payment of $5.00 received" in texts


def test_payments_credit_notes_emails_and_conversions_are_activities(invoice, rep, boss, opportunity):
    services.payment_record(
        invoice=invoice,
        by=boss,
        amount=Decimal("1000.50") / 10,
        method=PaymentMethod.CHECK,
        reference="CHK-7",
    )
    documents.delivery_queue(by=rep, to="ann@example.com", subject="Your invoice", document=invoice)
    entries = timeline.entries(Invoice.objects.get(pk=invoice.pk), rep)
    by_kind = {e.kind: e for e in entries}
    payment = by_kind[TimelineKind.PAYMENT]
    assert payment.text == "Payment of $100.05 received (Check, CHK-7); balance due $154.95"
    assert payment.badge and payment.icon and payment.label == "Payment received"
    email = by_kind[TimelineKind.EMAIL_QUEUED]
    assert "ann@example.com" in email.text and email.label == "Email queued"
    created_from = by_kind[TimelineKind.CONVERTED_FROM]
    assert (
        created_from.link.endswith(f"/opportunities/{opportunity.pk}/")
        and created_from.link_noun == "opportunity"
    )
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)  # newest first


def test_a_credit_note_is_an_activity_that_links_to_it(invoice, rep, boss):
    note = services.credit_note_create(invoice=invoice, by=boss, reason="Damaged")
    entry = next(
        e for e in timeline.entries(Invoice.objects.get(pk=invoice.pk), boss) if e.kind == "credited"
    )
    assert entry.text == f"Credit note {note.credit_note_number} of $255.00 issued; balance due $0.00"
    assert entry.link.endswith(f"/creditnotes/{note.pk}/") and entry.link_noun == "credit note"


# --- notes ---------------------------------------------------------------------------------------


def test_a_rep_adds_a_note_with_an_optional_title(invoice, rep):
    note = note_add(document=invoice, by=rep, title="  Call  ", text=" Customer asked for a copy. ")
    assert (note.title, note.text, note.owner) == ("Call", "Customer asked for a copy.", rep)
    (entry,) = [e for e in timeline.entries(invoice, rep) if e.note is not None]
    assert entry.who == rep.username and entry.may_delete and entry.label == "Note"


@pytest.mark.parametrize(
    ("title", "text", "field", "message"),
    [
        ("", "   ", "text", "Enter the note's text."),
        ("", "x" * (NOTE_TEXT_MAX + 1), "text", "The note's text can be at most 10,000 characters long"),
        ("t" * 201, "ok", "title", "The title can be at most 200 characters long"),
    ],
)
def test_bad_note_input_names_the_field_and_saves_nothing(invoice, rep, title, text, field, message):
    with pytest.raises(ValidationFailed) as caught:
        note_add(document=invoice, by=rep, title=title, text=text)
    assert caught.value.field == field and caught.value.message.startswith(message)
    assert not Note.objects.exists()


def test_a_user_who_may_not_edit_the_record_may_not_add_a_note(invoice):
    nobody = factories.UserFactory(username="norole")
    with pytest.raises(PermissionDeniedError):
        note_add(document=invoice, by=nobody, text="Hello")
    assert not Note.objects.exists()


def test_the_author_or_a_manager_deletes_a_note_another_rep_may_not(invoice, rep, boss):
    other = factories.salesperson("olga")
    mine = note_add(document=invoice, by=rep, text="Mine")
    with pytest.raises(PermissionDeniedError):
        note_delete(note=mine, by=other)
    assert not [e for e in timeline.entries(invoice, other) if e.may_delete]
    note_delete(note=mine, by=rep)
    theirs = note_add(document=invoice, by=other, text="Theirs")
    note_delete(note=theirs, by=boss)
    assert not Note.objects.exists()


def test_deleting_a_document_deletes_its_notes(opportunity, rep):
    note_add(document=opportunity, by=rep, text="Gone with it")
    services.document_delete(document=opportunity, by=rep)
    assert not Note.objects.exists()


def test_a_line_change_reads_with_the_lines_labels_and_money(invoice, rep):
    line = invoice.lines.get(write_in_name="Installation")  # 1 × 50.00, tax 5.00
    services.line_update(line=line, by=rep, quantity=Decimal("3"), tax_rate=Decimal("10"))
    entry = next(e for e in updates(invoice) if e.text == "Changed Installation")
    assert {c.label: (c.before, c.after) for c in entry.changes} == {
        "Quantity": ("1", "3"),
        "VAT rate %": ("—", "10"),
        "Extended amount": ("$55.00", "$165.00"),
    }
    event = TimelineEvent.objects.filter(document_id=invoice.pk, details__line="Installation").get()
    assert event.summary == "Changed Installation: Quantity, VAT rate %, Extended amount"
