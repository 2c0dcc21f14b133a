"""Issue 13 in the browser: a rep changes the freight on an invoice and reads it in the timeline in
their own words (label, money, before → after), adds a note through the htmx form (a bad one first),
and deletes it; another rep sees the note without a Delete button.

Starting data is built through the services; the procedure goes through the screens.
Saves var/screenshots/<test>-<step>.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from salesapp.sales import services
from salesapp.sales.models import Note
from tests import factories
from tests.e2e.browser import command, login, open_invoice

pytestmark = pytest.mark.browser


def test_a_rep_reads_an_update_in_their_words_and_adds_a_note(page, another_page, shoot, rep, opportunity):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    login(page, rep.username)
    open_invoice(page, invoice)

    page.locator("input[name=freight_amount]").fill("12.50")
    command(page, "Save").click()
    timeline = page.get_by_test_id("timeline")
    change = timeline.get_by_test_id("timeline-change").filter(has_text="Freight")
    expect(change).to_have_text("Freight: $0.00 → $12.50")

    form = page.get_by_test_id("note-form")
    form.get_by_role("button", name="Add note").click()  # no text: refused, naming the field
    expect(form).to_contain_text("Enter the note's text.")
    expect(form.get_by_label("Note", exact=True)).to_have_class("form-control is-invalid")

    form.get_by_label("Title (optional)").fill("Call with <Ann>")
    form.get_by_label("Note", exact=True).fill("Wants the freight itemised.\nSend a copy.")
    form.get_by_role("button", name="Add note").click()
    note = timeline.get_by_test_id("timeline-event").filter(has=page.get_by_test_id("note")).first
    expect(note.get_by_test_id("note-title")).to_have_text("Call with <Ann>")  # escaped, shown as typed
    expect(note).to_contain_text(rep.username)
    expect(page.get_by_test_id("note-form").get_by_label("Note", exact=True)).to_have_value("")
    shoot("note-added")

    other = factories.salesperson("olga")
    colleague = another_page()
    login(colleague, other.username)
    colleague.goto(reverse("invoice_detail", args=[invoice.pk]))  # not in their My Open Invoices
    expect(colleague.get_by_test_id("note-title")).to_have_text("Call with <Ann>")
    expect(colleague.get_by_test_id("note-delete")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    note.get_by_test_id("note-delete").click()
    expect(timeline.get_by_test_id("note")).to_have_count(0)
    assert not Note.objects.exists()
    shoot("note-deleted")
