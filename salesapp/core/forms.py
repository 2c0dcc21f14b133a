from django import forms

from salesapp.core.addresses import address_fields
from salesapp.core.models import OrganizationSettings
from salesapp.core.views.records import ServiceValidated

REMINDER_PLACEHOLDERS = (
    "{number}: the invoice number, {seller}: your seller name, {due}: its due date, "
    "{balance}: its balance due."
)


class OrganizationSettingsForm(ServiceValidated, forms.ModelForm):
    website = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = OrganizationSettings
        fields = [
            "seller_name",
            *address_fields("address"),
            "locale",
            "tax_id",
            "email",
            "phone",
            "website",
            "logo",
            "payment_instructions",
            "iban",
            "bic",
            "einvoicing",
            "invoice_footer",
            "default_currency",
            "pricing_precision",
            "discount_calculation",
            "quote_prefix",
            "order_prefix",
            "invoice_prefix",
            "credit_note_prefix",
            "email_subject_template",
            "email_body_template",
            "reminders_enabled",
            "reminder_days_after_due",
            "reminder_interval_days",
            "reminder_subject_template",
            "reminder_body_template",
        ]
        labels = {
            "credit_note_prefix": "Credit note prefix",
            "reminders_enabled": "Send payment reminders automatically",
            "reminder_days_after_due": "First reminder, days after the due date",
            "reminder_interval_days": "Days between reminders",
            "reminder_subject_template": "Reminder subject template",
            "reminder_body_template": "Reminder body template",
        }
        help_texts = {
            "credit_note_prefix": "Credit notes are numbered with it: CN-00001.",
            "reminders_enabled": "Daily, for each overdue invoice with a balance due.",
            "einvoicing": (
                "Invoice and credit note PDFs carry the EN 16931 invoice (Factur-X): every line needs a "
                "VAT category, and the seller a VAT id."
            ),
            "iban": "Shown as the SEPA credit transfer account in e-invoices.",
            "reminder_interval_days": "At most one reminder per invoice in this many days.",
            "reminder_subject_template": REMINDER_PLACEHOLDERS,
            "reminder_body_template": REMINDER_PLACEHOLDERS,
        }
        widgets = {
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
            "invoice_footer": forms.Textarea(attrs={"rows": 2}),
            "email_body_template": forms.Textarea(attrs={"rows": 5}),
            "reminder_body_template": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_logo(self) -> object:
        """The file input gives False for "clear" and None for no logo: both mean no logo."""
        return self.cleaned_data["logo"] or ""
