import uuid

from django.conf import settings
from django.db import models

from salesapp.core.addresses import address_model


class TimeStamped(models.Model):
    """UUID public id (the Web API key), created / modified timestamps and an owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_on = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_on = models.DateTimeField(auto_now=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A row version, bumped by every service that changes the record.

    Forms carry it back, the API exposes it as the @odata.etag: a stale version means someone else
    changed the record meanwhile (two tabs, two clicks, two integrators).
    """

    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class NumberSequence(models.Model):
    """Gapless counter per document type, bumped in the same transaction as the document (SPEC §7)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class IdempotencyKey(models.Model):
    """Remembers the result of a create submitted with a one-time form token (double submit)."""

    key = models.UUIDField(primary_key=True)
    created_on = models.DateTimeField(auto_now_add=True)
    result_type = models.CharField(max_length=40)
    result_id = models.UUIDField()

    def __str__(self) -> str:
        return f"{self.key} → {self.result_type} {self.result_id}"


class DiscountCalculation(models.TextChoices):
    LINE_ITEM = "line_item", "Line item"
    PER_UNIT = "per_unit", "Per unit"


SellerAddress = address_model("address", "seller")


class OrganizationSettings(SellerAddress):
    """The seller: one row (pk=1). Read it with OrganizationSettings.load().

    Its postal address is columns (address_line1 … address_country) like a customer's, so documents
    print it in its country's order and e-invoices carry its parts.
    """

    seller_name = models.CharField(max_length=200, default="Contoso Ltd")
    locale = models.CharField(
        "locale",
        max_length=20,
        default="en_US",
        help_text="How amounts and dates are written: en_US, en_GB, de_DE, fr_FR …",
    )
    tax_id = models.CharField("tax / VAT id", max_length=60, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to="logo/", blank=True)
    payment_instructions = models.TextField("bank / payment instructions", blank=True)
    # (ours) EN 16931: invoice and credit note PDFs are Factur-X e-invoices; the IBAN makes their
    # payment means a SEPA credit transfer.
    einvoicing = models.BooleanField("e-invoicing (Factur-X)", default=False)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    invoice_footer = models.TextField("invoice footer text", blank=True)
    default_currency = models.ForeignKey(
        "catalog.Currency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pricing_precision = models.PositiveSmallIntegerField("pricing decimal precision", default=2)
    discount_calculation = models.CharField(
        "discount calculation method",
        max_length=20,
        choices=DiscountCalculation.choices,
        default=DiscountCalculation.LINE_ITEM,
    )
    quote_prefix = models.CharField(max_length=10, default="QUO-")
    order_prefix = models.CharField(max_length=10, default="ORD-")
    invoice_prefix = models.CharField(max_length=10, default="INV-")
    credit_note_prefix = models.CharField(max_length=10, default="CN-")
    email_subject_template = models.CharField(max_length=200, default="Invoice {number} from {seller}")
    email_body_template = models.TextField(
        default="Dear customer,\n\nplease find attached invoice {number} for {total}, due on {due}.\n\n"
        "Kind regards,\n{seller}"
    )
    # Payment reminders (SPEC §10): the daily task sends one for each invoice that is this many days
    # past its due date with a balance, at most once every `reminder_interval_days`.
    reminders_enabled = models.BooleanField("send payment reminders automatically", default=False)
    reminder_days_after_due = models.PositiveSmallIntegerField("days after the due date", default=7)
    reminder_interval_days = models.PositiveSmallIntegerField("days between reminders", default=7)
    reminder_subject_template = models.CharField(
        max_length=200, default="Payment reminder: invoice {number} from {seller}"
    )
    reminder_body_template = models.TextField(
        default="Dear customer,\n\nour records show that invoice {number}, due on {due}, still has a balance "
        "of {balance}. Please find the invoice attached.\n\nKind regards,\n{seller}"
    )

    class Meta:
        verbose_name = verbose_name_plural = "organization settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="organization_single_row"),
            models.CheckConstraint(
                condition=models.Q(pricing_precision__gte=0, pricing_precision__lte=4),
                name="organization_pricing_precision_0_4",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_interval_days__gte=1),
                name="organization_reminder_interval_positive",
            ),
        ]

    CONSTRAINT_ERRORS = {
        "organization_reminder_interval_positive": (
            "reminder_interval_days",
            "Days between reminders must be at least 1.",
        ),
    }

    def __str__(self) -> str:
        return self.seller_name

    @classmethod
    def load(cls) -> "OrganizationSettings":
        obj, _ = cls.objects.select_related("default_currency").get_or_create(pk=1)
        return obj


class ListPreference(models.Model):
    """The columns a user chose for one list (the column chooser), in the order shown; kept per user
    and applied on every visit. No row: the list's default columns."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_name = models.CharField(max_length=100)  # the list's URL name ("invoice_list")
    columns = models.JSONField(default=list)  # column keys ("total-amount"), in order
    modified_on = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "list_name"], name="list_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.list_name}: {', '.join(self.columns)}"
