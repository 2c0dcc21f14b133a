"""Organization settings are saved through one service; a pricing setting reprices open documents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.catalog.models import PriceList
from salesapp.catalog.services import organization_settings_save
from salesapp.core.exceptions import ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import Invoice

from .test_forms import field_error

pytestmark = pytest.mark.django_db

FORM = {
    "seller_name": "Contoso",
    "locale": "en_US",
    "pricing_precision": "2",
    "discount_calculation": "line_item",
    "quote_prefix": "QUO-",
    "order_prefix": "ORD-",
    "invoice_prefix": "INV-",
    "email_subject_template": "Invoice {number}",
    "email_body_template": "Hello",
    "credit_note_prefix": "CN-",
    "reminder_days_after_due": "7",
    "reminder_interval_days": "7",
    "reminder_subject_template": "Payment reminder: {number}",
    "reminder_body_template": "Invoice {number} from {seller}, due {due}, still owes {balance}.",
}


def revisions() -> list[int]:
    return list(PriceList.objects.order_by("name").values_list("revision", flat=True))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"pricing_precision": 5}, "pricing_precision", "between 0 and 4"),
        ({"pricing_precision": -1}, "pricing_precision", "between 0 and 4"),
        ({"discount_calculation": "per_box"}, "discount_calculation", "not a valid choice"),
        ({"seller_name": ""}, "seller_name", "cannot be blank"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"locale": "xx_YY"}, "locale", "not a locale"),
        ({"row_version": 3}, "row_version", "no organization setting"),
    ],
)
def test_bad_settings_name_the_field_and_change_nothing(boss, usd, changes, field, words):
    with pytest.raises(ValidationFailed) as exc:
        organization_settings_save(by=boss, **changes)
    assert exc.value.field == field and words in exc.value.message
    org = OrganizationSettings.load()
    assert (org.seller_name, org.pricing_precision, org.email) == ("Contoso Ltd", 2, "")


def test_the_screen_shows_the_service_message_next_to_the_field(client, boss, usd):
    client.force_login(boss)
    response = client.post(
        reverse("organization"), {**FORM, "pricing_precision": "5", "seller_name": "Fabrikam"}
    )
    assert "between 0 and 4" in field_error(response.content.decode(), "pricing_precision")
    org = OrganizationSettings.load()
    assert (org.pricing_precision, org.seller_name) == (2, "Contoso Ltd")


def test_only_pricing_settings_bump_the_price_lists(boss, price_list):
    before = revisions()
    organization_settings_save(by=boss, seller_name="Fabrikam", invoice_prefix="F-", pricing_precision=2)
    assert revisions() == before
    organization_settings_save(by=boss, pricing_precision=3)
    assert revisions() == [r + 1 for r in before]
    organization_settings_save(by=boss, discount_calculation="per_unit")
    assert revisions() == [r + 2 for r in before]


def test_switching_the_discount_method_reprices_open_unlocked_documents_only(client, boss, rep, invoice):
    line = invoice.lines.get(product__isnull=False)  # 2 × 100.00
    services.line_update(line=line, by=rep, manual_discount=Decimal("10.00"))
    other = services.document_create(Invoice, by=rep, customer=invoice.customer, name="Locked")
    services.line_add(
        document=other, by=rep, product=line.product, quantity=Decimal("2"), manual_discount=Decimal("10.00")
    )
    services.lock_pricing(document=other, by=rep)
    assert Invoice.objects.get(pk=invoice.pk).total_amount == Decimal("245.00")  # 190 + 50 + 5 tax
    assert Invoice.objects.get(pk=other.pk).total_amount == Decimal("190.00")

    client.force_login(boss)
    response = client.post(reverse("organization"), {**FORM, "discount_calculation": "per_unit"})
    assert response.status_code == 302
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert "235.00" in page  # the manual discount now counts per unit: 2 × 10.00
    assert (
        "Repriced (the catalog, the pricing settings or the exchange rate changed): total $245.00 → $235.00"
        in page
    )  # the timeline says why, in the invoice's currency
    assert Invoice.objects.get(pk=invoice.pk).total_amount == Decimal("235.00")
    client.get(reverse("invoice_detail", args=[other.pk]))
    assert Invoice.objects.get(pk=other.pk).total_amount == Decimal("190.00")  # locked: keeps its prices


def png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (2, 2), "navy").save(out, format="PNG")
    return out.getvalue()


def test_the_logo_is_uploaded_kept_and_cleared(client, boss, usd, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(boss)
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    assert client.post(reverse("organization"), {**FORM, "logo": logo}).status_code == 302
    name = OrganizationSettings.load().logo.name
    assert name.startswith("logo/logo") and (tmp_path / name).read_bytes() == png()
    assert client.post(reverse("organization"), {**FORM, "seller_name": "Fabrikam"}).status_code == 302
    assert OrganizationSettings.load().logo.name == name  # saving other fields keeps the logo
    assert client.post(reverse("organization"), {**FORM, "logo-clear": "on"}).status_code == 302
    assert not OrganizationSettings.load().logo


def test_a_manager_sets_the_credit_note_prefix_and_the_payment_reminders(client, boss, usd):
    client.force_login(boss)
    page = client.get(reverse("organization")).content.decode()
    for words in ("Credit note prefix", "Send payment reminders automatically", "{balance}"):
        assert words in page
    response = client.post(
        reverse("organization"),
        {
            **FORM,
            "credit_note_prefix": "CR-",
            "reminders_enabled": "on",
            "reminder_days_after_due": "10",
            "reminder_interval_days": "14",
            "reminder_subject_template": "Reminder: {number} ({balance})",
            "reminder_body_template": "{seller}: {number} was due on {due}.",
        },
    )
    assert response.status_code == 302
    org = OrganizationSettings.load()
    assert (
        org.credit_note_prefix,
        org.reminders_enabled,
        org.reminder_days_after_due,
        org.reminder_interval_days,
        org.reminder_subject_template,
        org.reminder_body_template,
    ) == ("CR-", True, 10, 14, "Reminder: {number} ({balance})", "{seller}: {number} was due on {due}.")
    # an unticked box turns them off again
    assert client.post(reverse("organization"), FORM).status_code == 302
    assert OrganizationSettings.load().reminders_enabled is False


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reminder_interval_days": "0"}, "reminder_interval_days", "at least 1"),
        ({"reminder_days_after_due": "-1"}, "reminder_days_after_due", "greater than or equal to 0"),
        ({"reminder_days_after_due": ""}, "reminder_days_after_due", "required"),
        ({"reminder_subject_template": "Pay\r\nBcc: x@example.com"}, "reminder_subject_template", "one line"),
        ({"credit_note_prefix": "CREDITNOTE-1"}, "credit_note_prefix", "at most 10"),
    ],
)
def test_bad_reminder_settings_are_shown_next_to_their_field(client, boss, usd, changes, field, words):
    client.force_login(boss)
    response = client.post(reverse("organization"), {**FORM, "reminders_enabled": "on", **changes})
    assert response.status_code == 200
    error = field_error(response.content.decode(), field)
    assert error and words in error
    org = OrganizationSettings.load()
    assert (org.reminders_enabled, org.reminder_interval_days, org.credit_note_prefix) == (False, 7, "CN-")


def test_a_salesperson_reads_the_reminder_settings_but_may_not_change_them(client, rep, usd):
    client.force_login(rep)
    assert "Days between reminders" in client.get(reverse("organization")).content.decode()
    response = client.post(reverse("organization"), {**FORM, "reminders_enabled": "on"})
    assert response.status_code == 403
    assert OrganizationSettings.load().reminders_enabled is False
