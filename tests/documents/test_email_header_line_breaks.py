"""Values that go into an email header (seller name, Reply-To address, subject) can't hold a line break:
the settings service and Send by Email refuse one, naming the field, so no email is ever broken by it."""

import email
from email import policy

import pytest
from django.urls import reverse

from salesapp.catalog.services import organization_settings_save
from salesapp.core.exceptions import ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.documents import services
from salesapp.documents.models import DeliveryState

pytestmark = pytest.mark.django_db

BREAKS = ["\r\n", "\n", "\r", "\u2028", "\x85", "\x0b"]


@pytest.mark.parametrize("brk", BREAKS)
@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("seller_name", "Contoso{}Bcc: victim@example.com", "Seller name"),
        ("email", "billing@contoso.example{}Bcc: victim@example.com", "Email"),
        ("email_subject_template", "Invoice {{number}}{}Bcc: victim@example.com", "subject"),
    ],
)
def test_a_line_break_in_a_header_setting_is_refused_by_name(boss, usd, field, value, words, brk):
    with pytest.raises(ValidationFailed) as exc:
        organization_settings_save(by=boss, **{field: value.format(brk)})
    assert exc.value.field == field and words in exc.value.message and "one line" in exc.value.message
    org = OrganizationSettings.load()
    assert (org.seller_name, org.email) == ("Contoso Ltd", "")
    assert "Bcc" not in org.email_subject_template


def test_the_settings_screen_shows_it_next_to_the_field(client, boss, usd):
    from tests.web.test_forms import field_error
    from tests.web.test_organization_settings import FORM

    client.force_login(boss)
    response = client.post(reverse("organization"), {**FORM, "seller_name": "Contoso\r\nBcc: x@example.com"})
    assert "one line" in field_error(response.content.decode(), "seller_name")
    assert OrganizationSettings.load().seller_name == "Contoso Ltd"


@pytest.mark.parametrize("brk", BREAKS)
def test_send_by_email_refuses_a_subject_with_a_line_break(invoice, rep, brk):
    with pytest.raises(ValidationFailed) as exc:
        services.delivery_queue(
            invoice=invoice, by=rep, to="a@customer.example", subject=f"Invoice{brk}Bcc: victim@example.com"
        )
    assert exc.value.field == "subject"


def test_the_default_subject_is_one_line_even_if_a_name_has_a_line_break(invoice, rep, boss):
    organization_settings_save(by=boss, email_subject_template="Invoice {number} for {customer}")
    customer = invoice.customer
    customer.name = "Fabrikam\r\nBcc: victim@example.com"
    customer.save()
    subject = services.compose_defaults(invoice)["subject"]
    assert "\n" not in subject and "\r" not in subject and "Fabrikam Bcc" in subject


def test_a_seller_name_stored_before_the_rule_still_sends_a_valid_email(
    invoice, rep, mailoutbox, django_capture_on_commit_callbacks
):
    OrganizationSettings.objects.filter(pk=OrganizationSettings.load().pk).update(
        seller_name="Contoso\r\nBcc: victim@example.com"
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.delivery_queue(
            invoice=invoice, by=rep, to="a@customer.example", subject="Invoice"
        )
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    parsed = email.message_from_bytes(mailoutbox[0].message().as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and "Contoso Bcc" in parsed["From"]
