"""The Send by Email dialog. Parsing only: the rules live in services.delivery_queue."""

from django import forms

from salesapp.core.views.records import OneTimeTokenField


class SendEmailForm(forms.Form):
    to = forms.CharField(
        label="To", max_length=2000, help_text="One or more addresses, separated by commas or semicolons."
    )
    cc = forms.CharField(label="Cc", max_length=2000, required=False)
    subject = forms.CharField(label="Subject", max_length=300)
    body = forms.CharField(
        label="Message", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    # A double click, a duplicated tab or a replayed POST of one dialog queues one delivery.
    form_token = OneTimeTokenField()


class ReminderForm(forms.Form):
    """Send Payment Reminder: nothing to ask but its one-time token (a double click sends one)."""

    form_token = OneTimeTokenField()


class BulkEmailForm(forms.Form):
    """Send by Email of many documents: the subject and message with placeholders, filled per document."""

    subject = forms.CharField(label="Subject", max_length=300)
    body = forms.CharField(
        label="Message", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    # A double click or a replayed POST of one confirm page queues one batch.
    form_token = OneTimeTokenField()
