from django import forms

from salesapp.core.models import OrganizationSettings
from salesapp.core.views.records import ServiceValidated


class OrganizationSettingsForm(ServiceValidated, forms.ModelForm):
    website = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = OrganizationSettings
        fields = [
            "seller_name",
            "address",
            "tax_id",
            "email",
            "phone",
            "website",
            "logo",
            "payment_instructions",
            "invoice_footer",
            "default_currency",
            "pricing_precision",
            "discount_calculation",
            "quote_prefix",
            "order_prefix",
            "invoice_prefix",
            "email_subject_template",
            "email_body_template",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
            "invoice_footer": forms.Textarea(attrs={"rows": 2}),
            "email_body_template": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_logo(self) -> object:
        """The file input gives False for "clear" and None for no logo: both mean no logo."""
        return self.cleaned_data["logo"] or ""
