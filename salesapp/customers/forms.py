from django import forms

from salesapp.core.addresses import address_fields
from salesapp.core.views.records import ServiceValidated

from .models import Account, Contact
from .selectors import customer_choices, customer_from_choice


class AccountForm(ServiceValidated, forms.ModelForm):
    website = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Account
        fields = [
            "name",
            "account_number",
            "email",
            "phone",
            "website",
            "tax_id",
            "primary_contact",
            "default_price_list",
            *address_fields("address1"),
            *address_fields("address2"),
        ]
        labels = {"name": "Account Name", "phone": "Main Phone"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        contacts = Contact.objects.none()
        if not self.instance._state.adding:
            contacts = Contact.objects.filter(account=self.instance)
        self.fields["primary_contact"].queryset = contacts


class ContactForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "job_title",
            "account",
            "email",
            "phone",
            "default_price_list",
            *address_fields("address1"),
        ]
        labels = {"phone": "Business Phone", "account": "Account Name"}


class CustomerField(forms.ChoiceField):
    """Pick an account or a contact (the customer of a document)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=(), **kwargs)

    def load(self) -> None:
        self.choices = [("", "---------"), *customer_choices()]

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        customer = customer_from_choice(value)
        if customer is None:
            raise forms.ValidationError("Choose an existing account or contact.")
        return customer

    def valid_value(self, value) -> bool:  # checked against the database in clean()
        return True
