"""Opportunities, quotes, orders, invoices, their lines and the timeline (SPEC §2).

Models hold data, constraints and pure helpers. Every change of state, totals or numbers goes
through `salesapp.sales.services`.
"""

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.utils.text import capfirst

from salesapp.catalog.models import MONEY, QTY
from salesapp.core.addresses import BillTo, ShipTo
from salesapp.core.models import TimeStamped, Versioned
from salesapp.pricing import ERROR_ADVICE, PricingErrorCode, VatCategory

from . import states
from .states import (
    InvoiceState,
    InvoiceStatus,
    OpportunityState,
    OpportunityStatus,
    OrderState,
    OrderStatus,
    QuoteState,
    QuoteStatus,
)

ZERO = Decimal("0")
VAT_CATEGORY_CHOICES = [(c.value, f"{c.value} – {c.label}") for c in VatCategory]


class PaymentTerms(models.IntegerChoices):
    NET_30 = 1, "Net 30"
    TWO_10_NET_30 = 2, "2% 10, Net 30"
    NET_45 = 3, "Net 45"
    NET_60 = 4, "Net 60"


PAYMENT_TERM_DAYS = {1: 30, 2: 30, 3: 45, 4: 60}


class FreightTerms(models.IntegerChoices):
    FOB = 1, "FOB"
    NO_CHARGE = 2, "No Charge"


class ShippingMethod(models.IntegerChoices):
    AIRBORNE = 1, "Airborne"
    DHL = 2, "DHL"
    FEDEX = 3, "FedEx"
    UPS = 4, "UPS"
    POSTAL_MAIL = 5, "Postal Mail"
    FULL_LOAD = 6, "Full Load"
    WILL_CALL = 7, "Will Call"


class Labelled:
    """Fields in the users' words, for the screens and the timeline (`field_label`, the one door).

    `LABELS`: where a label differs from the field's verbose name; `MONEY_FIELDS`: the amounts, shown
    in the record's currency (a document's are its `BASE_TWINS`)."""

    LABELS: ClassVar[dict[str, str]] = {}
    MONEY_FIELDS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def is_money(cls, name: str) -> bool:
        return name in cls.MONEY_FIELDS

    @classmethod
    def field_label(cls, name: str) -> str:
        """ "Header discount %", "Topic" (an opportunity's name), "VAT rate %" (a line's tax rate)."""
        if name in cls.LABELS:
            return cls.LABELS[name]
        try:
            return capfirst(str(cls._meta.get_field(name).verbose_name))  # type: ignore[attr-defined]
        except FieldDoesNotExist:
            return name.replace("_", " ").capitalize()


class PricedDocument(Labelled, TimeStamped, Versioned):
    """What opportunities, quotes, orders and invoices share: customer, pricing, header, totals."""

    name = models.CharField(max_length=300)
    customer_account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer_contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    discount_percentage = models.DecimalField(
        "header discount %", max_digits=5, decimal_places=2, default=ZERO
    )
    discount_amount = models.DecimalField("header discount", default=ZERO, **MONEY)
    freight_amount = models.DecimalField("freight", default=ZERO, **MONEY)
    # Stored totals (SPEC §3.4): lists sort by them, templates/PDF/API read them, nobody recomputes.
    total_line_item_amount = models.DecimalField("detail amount", default=ZERO, **MONEY)
    total_line_item_discount_amount = models.DecimalField("total line discount", default=ZERO, **MONEY)
    header_percent_discount_amount = models.DecimalField("header % discount", default=ZERO, **MONEY)
    total_discount_amount = models.DecimalField("total discount", default=ZERO, **MONEY)
    total_amount_less_freight = models.DecimalField("pre-freight amount", default=ZERO, **MONEY)
    total_tax = models.DecimalField("total tax", default=ZERO, **MONEY)
    total_amount = models.DecimalField("total amount", default=ZERO, db_index=True, **MONEY)
    # SPEC §10: units of the document's currency per unit of the base currency, taken from the
    # currency when prices are set; the `_base` twins are the money columns divided by it.
    exchange_rate = models.DecimalField(max_digits=23, decimal_places=10, default=Decimal("1"))
    discount_amount_base = models.DecimalField("header discount (base)", default=ZERO, **MONEY)
    freight_amount_base = models.DecimalField("freight (base)", default=ZERO, **MONEY)
    total_line_item_amount_base = models.DecimalField("detail amount (base)", default=ZERO, **MONEY)
    total_line_item_discount_amount_base = models.DecimalField(
        "total line discount (base)", default=ZERO, **MONEY
    )
    total_discount_amount_base = models.DecimalField("total discount (base)", default=ZERO, **MONEY)
    total_amount_less_freight_base = models.DecimalField("pre-freight amount (base)", default=ZERO, **MONEY)
    total_tax_base = models.DecimalField("total tax (base)", default=ZERO, **MONEY)
    total_amount_base = models.DecimalField("total amount (base)", default=ZERO, **MONEY)
    # The price list revision and the currency's rate revision the lines were last priced at
    # (lazy repricing, SPEC §6 and §10).
    priced_revision = models.PositiveBigIntegerField(default=0)
    priced_rate_revision = models.PositiveBigIntegerField(default=0)
    # SPEC §3.6: the first line's pricing error, or the header's own (discounts beyond the products).
    pricing_error_code = models.PositiveSmallIntegerField("pricing error", default=0)

    # The money columns that have a `_base` twin (SPEC §10, WEBAPI "Currencies").
    BASE_TWINS: tuple[str, ...] = (
        "discount_amount",
        "freight_amount",
        "total_line_item_amount",
        "total_line_item_discount_amount",
        "total_discount_amount",
        "total_amount_less_freight",
        "total_tax",
        "total_amount",
    )

    LABELS: ClassVar[dict[str, str]] = {"customer": "Customer"}  # the pair of customer columns

    @classmethod
    def is_money(cls, name: str) -> bool:
        return name in cls.BASE_TWINS

    lifecycle: states.Lifecycle
    kind: str  # "opportunity" | "quote" | "salesorder" | "invoice" | "creditnote"
    # Each concrete document declares its own `state` and `status` fields, with its own choices.
    state: int
    status: int

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(customer_account__isnull=False, customer_contact__isnull=True)
                | Q(customer_account__isnull=True, customer_contact__isnull=False),
                name="%(class)s_customer_exactly_one",
            ),
            models.CheckConstraint(
                condition=Q(discount_percentage__gte=0, discount_percentage__lte=100)
                & Q(discount_amount__gte=0)
                & Q(freight_amount__gte=0)
                & Q(total_tax__gte=0),
                name="%(class)s_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def customer(self):  # Account | Contact
        return self.customer_account or self.customer_contact

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def state_label(self) -> str:
        return self.lifecycle.state_label(self.state)

    @property
    def status_label(self) -> str:
        return self.lifecycle.status_label(self.status)

    def can(self, action: str) -> bool:
        return self.lifecycle.can(action, self.state) and not self.refusal(action)

    def settle_balance(self) -> list[str]:
        """Recompute what depends on the totals and on money received (invoices); the fields set."""
        return []

    def refusal(self, action: str) -> str:
        """Why `action` isn't possible although the state allows it ('' when it is possible).

        The rules that hang on more than the state (an invoice's balance, its credit notes) live
        here, next to the data they read; `services.common.require` and the screens ask it.
        """
        return ""

    @property
    def is_editable(self) -> bool:
        return self.can("edit")

    @property
    def pricing_error_text(self) -> str:
        return PricingErrorCode(self.pricing_error_code).description

    @property
    def pricing_error_advice(self) -> str:
        """What to do about a document-level error no catalog fix cures (VAT categories), else ''."""
        return (
            ERROR_ADVICE.get(PricingErrorCode(self.pricing_error_code), "")
            if self.pricing_error_code >= 1000
            else ""
        )

    @property
    def is_price_locked(self) -> bool:
        return bool(getattr(self, "prices_locked", False))


class SalesDocument(PricedDocument, BillTo, ShipTo):
    """Quotes, orders and invoices: numbered, with terms and addresses."""

    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_terms = models.IntegerField(choices=PaymentTerms.choices, null=True, blank=True)
    freight_terms = models.IntegerField(choices=FreightTerms.choices, null=True, blank=True)
    shipping_method = models.IntegerField(choices=ShippingMethod.choices, null=True, blank=True)

    class Meta(PricedDocument.Meta):
        abstract = True

    @property
    def number(self) -> str:
        raise NotImplementedError

    @property
    def display_name(self) -> str:
        return f"{self.number} {self.name}".strip()


class Opportunity(PricedDocument):
    state = models.IntegerField(choices=OpportunityState.choices, default=OpportunityState.OPEN)
    status = models.IntegerField(choices=OpportunityStatus.choices, default=OpportunityStatus.IN_PROGRESS)
    estimated_close_date = models.DateField(null=True, blank=True)
    is_revenue_system_calculated = models.BooleanField("revenue system-calculated", default=True)
    estimated_value = models.DecimalField("estimated revenue", default=ZERO, **MONEY)
    estimated_value_base = models.DecimalField("estimated revenue (base)", default=ZERO, **MONEY)
    actual_revenue = models.DecimalField(null=True, blank=True, **MONEY)
    actual_close_date = models.DateField(null=True, blank=True)
    competitor = models.CharField(max_length=200, blank=True)
    close_description = models.TextField(blank=True)

    lifecycle = states.OPPORTUNITY
    kind = "opportunity"
    BASE_TWINS = (*PricedDocument.BASE_TWINS, "estimated_value")
    LABELS = {**PricedDocument.LABELS, "name": "Topic"}

    class Meta(PricedDocument.Meta):
        verbose_name_plural = "opportunities"
        ordering = ["-created_on"]
        constraints = [
            *PricedDocument.Meta.constraints,
            models.CheckConstraint(
                condition=Q(state__in=OpportunityState.values), name="opportunity_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OpportunityStatus.values), name="opportunity_status_valid"
            ),
        ]


class Quote(SalesDocument):
    quote_number = models.CharField(max_length=30, db_index=True, editable=False)
    revision_number = models.PositiveIntegerField(default=0, editable=False)
    state = models.IntegerField(choices=QuoteState.choices, default=QuoteState.DRAFT)
    status = models.IntegerField(choices=QuoteStatus.choices, default=QuoteStatus.IN_PROGRESS)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    due_by = models.DateField(null=True, blank=True)  # D365 "Due By": expireson
    requested_delivery_by = models.DateField(null=True, blank=True)  # copied to the order
    closed_on = models.DateField(null=True, blank=True)
    revised_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    lifecycle = states.QUOTE
    kind = "quote"

    class Meta(SalesDocument.Meta):
        ordering = ["-created_on"]
        constraints = [
            *SalesDocument.Meta.constraints,
            models.UniqueConstraint(
                fields=["quote_number", "revision_number"], name="quote_number_revision_unique"
            ),
            models.CheckConstraint(condition=Q(state__in=QuoteState.values), name="quote_state_valid"),
            models.CheckConstraint(condition=Q(status__in=QuoteStatus.values), name="quote_status_valid"),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="quote_effective_dates_ordered",
            ),
        ]

    # from_django_validation names the field instead of the constraint
    CONSTRAINT_ERRORS = {
        "quote_effective_dates_ordered": ("effective_to", "Effective To can't be before Effective From."),
    }

    @property
    def number(self) -> str:
        return self.quote_number


class SalesOrder(SalesDocument):
    order_number = models.CharField(max_length=30, unique=True, editable=False)
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    state = models.IntegerField(choices=OrderState.choices, default=OrderState.ACTIVE)
    status = models.IntegerField(choices=OrderStatus.choices, default=OrderStatus.NEW)
    prices_locked = models.BooleanField(default=False)
    requested_delivery_by = models.DateField(null=True, blank=True)
    date_fulfilled = models.DateField(null=True, blank=True)
    canceled_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    lifecycle = states.ORDER
    kind = "salesorder"

    class Meta(SalesDocument.Meta):
        ordering = ["-created_on"]
        constraints = [
            *SalesDocument.Meta.constraints,
            models.CheckConstraint(condition=Q(state__in=OrderState.values), name="salesorder_state_valid"),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="salesorder_status_valid"
            ),
        ]

    @property
    def number(self) -> str:
        return self.order_number


# SPEC §10: an invoice is open while something is left to pay on it (Active or Paid · Partial). The
# selectors filter by it and a partial index is defined by it, so the two can't drift apart.
OPEN_INVOICE = Q(balance_due__gt=0) & ~Q(state=states.InvoiceState.CANCELED)


class Invoice(SalesDocument):
    invoice_number = models.CharField(max_length=30, unique=True, editable=False)
    sales_order = models.ForeignKey(
        SalesOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    state = models.IntegerField(choices=InvoiceState.choices, default=InvoiceState.ACTIVE)
    status = models.IntegerField(choices=InvoiceStatus.choices, default=InvoiceStatus.NEW)
    prices_locked = models.BooleanField(default=False)
    invoice_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    date_paid = models.DateField(null=True, blank=True)  # of the latest payment
    # SPEC §10, kept by salesapp.sales.services.payments: Σ payments, Σ credit notes, and what is
    # left (negative when credit notes exceed what is unpaid: money owed back to the customer).
    amount_paid = models.DecimalField(default=ZERO, **MONEY)
    amount_credited = models.DecimalField(default=ZERO, **MONEY)
    balance_due = models.DecimalField(default=ZERO, **MONEY)  # indexed first in invoice_open_due_idx
    amount_paid_base = models.DecimalField("amount paid (base)", default=ZERO, **MONEY)
    balance_due_base = models.DecimalField("balance due (base)", default=ZERO, **MONEY)
    # When a Send by Email of this invoice first reached the customer: from then on it is corrected
    # by a credit note, not canceled.
    first_sent_on = models.DateTimeField(null=True, blank=True)
    # Bumped whenever what the PDF shows may have changed; the stored PDF records the one it shows.
    content_version = models.PositiveIntegerField(default=1)

    lifecycle = states.INVOICE
    kind = "invoice"
    BASE_TWINS = (*PricedDocument.BASE_TWINS, "amount_paid", "balance_due")

    class Meta(SalesDocument.Meta):
        ordering = ["-created_on"]
        constraints = [
            *SalesDocument.Meta.constraints,
            models.CheckConstraint(condition=Q(state__in=InvoiceState.values), name="invoice_state_valid"),
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values), name="invoice_status_valid"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_credited__gte=0),
                name="invoice_amount_paid_not_negative",
            ),
        ]
        # The dashboard's open / overdue invoices (balance due > 0, not canceled; SPEC §10): found,
        # summed in the base currency and sorted by due date from the index alone. Leading with the
        # balance, a read skips the paid-up invoices, which are most of them.
        indexes = [
            models.Index(
                fields=["balance_due", "state", "due_date", "balance_due_base"], name="invoice_open_due_idx"
            ),
            # The list's views, filters and sorts read an index range (keyset pages, issue 13): "My …"
            # by owner, a status filter sorted by created on, total or invoice date, all by total. (created_on has
            # its own index, TimeStamped.) Search: trigram indexes on PostgreSQL, migration 0010.
            models.Index(fields=["owner", "created_on"], name="invoice_owner_created_idx"),
            models.Index(fields=["state", "created_on"], name="invoice_state_created_idx"),
            models.Index(fields=["state", "total_amount"], name="invoice_state_total_idx"),
            models.Index(fields=["state", "invoice_date"], name="invoice_state_date_idx"),
            models.Index(fields=["total_amount"], name="invoice_total_idx"),
            # Every other sortable column of "All Invoices", with the primary key the keyset pages
            # break ties by: sorted by balance due, a million invoices are an index walk, not a sort.
            *(
                models.Index(fields=[column, "id"], name=f"invoice_sort_{name}_idx")
                for column, name in (
                    ("name", "name"),
                    ("invoice_date", "date"),
                    ("due_date", "due"),
                    ("amount_paid_base", "paid"),
                    ("balance_due_base", "balance"),
                )
            ),
            # the dashboard's overdue invoices, oldest due date first: an index walk over the open ones
            models.Index(fields=["due_date"], condition=OPEN_INVOICE, name="invoice_open_due_date_idx"),
        ]

    @property
    def number(self) -> str:
        return self.invoice_number

    @property
    def is_overdue(self) -> bool:
        """SPEC §10: past its due date with something still to pay (Active or Paid · Partial)."""
        from django.utils import timezone

        return (
            self.state != InvoiceState.CANCELED
            and self.balance_due > 0
            and bool(self.due_date)
            and self.due_date < timezone.localdate()
        )

    def settle_balance(self) -> list[str]:
        """SPEC §10: balance due = total − amount paid − amount credited; nothing on a canceled one."""
        if self.state == InvoiceState.CANCELED:
            self.balance_due = ZERO
        else:
            self.balance_due = self.total_amount - self.amount_paid - self.amount_credited
        return ["balance_due"]

    @property
    def creditable_amount(self) -> Decimal:
        return self.total_amount - self.amount_credited

    def refusal(self, action: str) -> str:
        if action in ("edit", "lock", "unlock", "set_status") and self.amount_credited:
            return "This invoice has credit notes, so it can't change any more; correct it with another credit note."
        if action == "cancel" and (self.first_sent_on or self.amount_credited):
            return (
                "This invoice was sent to the customer, so it can't be canceled; create a credit note instead."
                if self.first_sent_on
                else "This invoice has credit notes, so it can't be canceled; credit the rest instead."
            )
        if action == "add_payment" and self.balance_due <= 0:
            return "Nothing is left to pay on this invoice."
        if action == "credit" and self.creditable_amount <= 0:
            return "This invoice is credited in full already."
        if action == "remind" and not self.is_overdue:
            return "Only an overdue invoice with a balance due gets a payment reminder."
        return ""


class PaymentMethod(models.IntegerChoices):
    BANK_TRANSFER = 1, "Bank transfer"
    CARD = 2, "Card"
    CHECK = 3, "Check"
    CASH = 4, "Cash"
    DIRECT_DEBIT = 5, "Direct debit"
    OTHER = 6, "Other"


class Payment(TimeStamped):
    """One payment received against an invoice [invoicepayment] (ours; SPEC §10).

    Recorded by Invoice Paid and Add Payment through `salesapp.sales.services.payments`; never
    edited afterwards. `owner` is who recorded it.
    """

    invoice = models.ForeignKey("sales.Invoice", on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    amount_base = models.DecimalField("amount (base)", default=ZERO, **MONEY)
    paid_on = models.DateField("payment date")
    method = models.IntegerField(
        "payment method", choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["paid_on", "created_on"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"


class CreditNote(SalesDocument):
    """A credit note (ours; SPEC §10): all or some of an invoice's lines, credited.

    Created in one go by `salesapp.sales.services.credit_notes` and never edited: its amount is
    deducted from the invoice's balance due.
    """

    credit_note_number = models.CharField(max_length=30, unique=True, editable=False)
    invoice = models.ForeignKey("sales.Invoice", on_delete=models.PROTECT, related_name="credit_notes")
    state = models.IntegerField(choices=states.CreditNoteState.choices, default=states.CreditNoteState.ISSUED)
    status = models.IntegerField(
        choices=states.CreditNoteStatus.choices, default=states.CreditNoteStatus.ISSUED
    )
    credit_date = models.DateField()
    reason = models.TextField(blank=True)
    content_version = models.PositiveIntegerField(default=1)

    lifecycle = states.CREDIT_NOTE
    kind = "creditnote"

    class Meta(SalesDocument.Meta):
        ordering = ["-created_on"]
        constraints = [
            *SalesDocument.Meta.constraints,
            models.CheckConstraint(
                condition=Q(state__in=states.CreditNoteState.values), name="creditnote_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=states.CreditNoteStatus.values), name="creditnote_status_valid"
            ),
        ]

    @property
    def number(self) -> str:
        return self.credit_note_number

    @property
    def is_price_locked(self) -> bool:
        return True  # its prices and exchange rate are the invoice's, for ever


class DocumentLine(Labelled, models.Model):
    """One product line of a document. Catalog product (+ unit) or write-in name, never both."""

    LABELS: ClassVar[dict[str, str]] = {"tax_rate": "VAT rate %", "is_price_overridden": "Override price"}
    MONEY_FIELDS = (
        "price_per_unit",
        "volume_discount",
        "manual_discount",
        "tax",
        "amount",
        "extended_amount",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_on = models.DateTimeField(auto_now_add=True)
    modified_on = models.DateTimeField(auto_now=True)
    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "catalog.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    write_in_name = models.CharField("write-in product", max_length=500, blank=True)
    is_price_overridden = models.BooleanField(default=False)
    price_per_unit = models.DecimalField(default=ZERO, **MONEY)
    quantity = models.DecimalField(**QTY)
    volume_discount = models.DecimalField("volume discount", default=ZERO, **MONEY)
    manual_discount = models.DecimalField("manual discount", default=ZERO, **MONEY)
    tax = models.DecimalField(default=ZERO, **MONEY)
    tax_rate = models.DecimalField("tax rate %", max_digits=7, decimal_places=4, null=True, blank=True)
    # (ours) EN 16931: the UNTDID 5305 VAT category ("" = not categorized, the D365 flow) and, for
    # exempt lines, why (BT-120). The rate is `tax_rate`; with one the tax follows from it.
    vat_category = models.CharField("VAT category", max_length=2, choices=VAT_CATEGORY_CHOICES, blank=True)
    vat_exemption_reason = models.CharField("VAT exemption reason", max_length=200, blank=True)
    amount = models.DecimalField(default=ZERO, **MONEY)
    extended_amount = models.DecimalField(default=ZERO, **MONEY)
    description = models.TextField(blank=True)
    # SPEC §3.6: why the price per unit could not be computed from the catalog (0: it could).
    pricing_error_code = models.PositiveSmallIntegerField("pricing error", default=0)

    parent_field: str

    class Meta:
        abstract = True
        ordering = ["sequence", "created_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False, unit__isnull=False, write_in_name="")
                | (
                    Q(product__isnull=True, unit__isnull=True, is_price_overridden=True)
                    & ~Q(write_in_name="")
                ),
                name="%(class)s_product_or_write_in",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(price_per_unit__gte=0)
                & Q(volume_discount__gte=0)
                & Q(manual_discount__gte=0)
                & Q(tax__gte=0),
                name="%(class)s_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.product_name

    @property
    def product_name(self) -> str:
        return self.product.name if self.product_id else self.write_in_name

    @property
    def is_write_in(self) -> bool:
        return self.product_id is None

    @property
    def net_price_per_unit(self) -> Decimal:
        return self.price_per_unit - self.volume_discount


class OpportunityProduct(DocumentLine):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    parent_field = "opportunity"

    class Meta(DocumentLine.Meta):
        pass


class QuoteDetail(DocumentLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    parent_field = "quote"

    class Meta(DocumentLine.Meta):
        pass


class SalesOrderDetail(DocumentLine):
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    parent_field = "sales_order"

    class Meta(DocumentLine.Meta):
        pass


class InvoiceDetail(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    parent_field = "invoice"

    class Meta(DocumentLine.Meta):
        pass


class CreditNoteDetail(DocumentLine):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    # The invoice line it credits: an invoice line is never credited beyond its quantity.
    invoice_detail = models.ForeignKey(InvoiceDetail, on_delete=models.PROTECT, related_name="credits")
    parent_field = "credit_note"

    class Meta(DocumentLine.Meta):
        pass


LINE_MODELS: dict[type[PricedDocument], type[DocumentLine]] = {
    Opportunity: OpportunityProduct,
    Quote: QuoteDetail,
    SalesOrder: SalesOrderDetail,
    Invoice: InvoiceDetail,
    CreditNote: CreditNoteDetail,
}
DOCUMENT_MODELS: dict[str, type[PricedDocument]] = {
    "opportunity": Opportunity,
    "quote": Quote,
    "salesorder": SalesOrder,
    "invoice": Invoice,
    "creditnote": CreditNote,
}


class CloseActivity(TimeStamped):
    """The close activity Dynamics 365 stores when a quote, opportunity or order is closed
    (quoteclose, opportunityclose, orderclose): what the closer said, and when."""

    subject = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    actual_end = models.DateField("actual end", null=True, blank=True)
    status = models.IntegerField("status reason")  # the one the record was closed with

    class Meta:
        abstract = True
        ordering = ["-created_on"]


class QuoteClose(CloseActivity):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="closes")


class OpportunityClose(CloseActivity):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="closes")
    actual_revenue = models.DecimalField(null=True, blank=True, **MONEY)
    competitor = models.CharField(max_length=200, blank=True)


class OrderClose(CloseActivity):
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="closes")


class TimelineKind(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    CONVERTED_FROM = "converted_from", "Created from"
    CONVERTED_TO = "converted_to", "Converted to"
    PRODUCTS_ADDED = "products_added", "Products added"
    STATE_CHANGED = "state_changed", "State changed"
    PRICE_LOCKED = "price_locked", "Pricing locked"
    PRICE_UNLOCKED = "price_unlocked", "Using current pricing"
    REPRICED = "repriced", "Repriced"
    EMAIL_QUEUED = "email_queued", "Email queued"
    EMAILED = "emailed", "Emailed"
    EMAIL_FAILED = "email_failed", "Email failed"
    PAID = "paid", "Paid"
    PAYMENT = "payment", "Payment received"
    CREDITED = "credited", "Credit note"
    REMINDER_QUEUED = "reminder_queued", "Payment reminder queued"
    CANCELED = "canceled", "Canceled"


def _user() -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class OnTimeline(models.Model):
    """A row of a record's timeline: which record (its `kind` and id), when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document_type = models.CharField(max_length=20)
    document_id = models.UUIDField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-at"]


class TimelineEvent(OnTimeline):
    actor = _user()
    kind = models.CharField(max_length=30, choices=TimelineKind.choices)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)

    class Meta(OnTimeline.Meta):
        indexes = [models.Index(fields=["document_type", "document_id", "-at"], name="timeline_document_idx")]

    def __str__(self) -> str:
        return self.summary


NOTE_TEXT_MAX = 10_000  # the note's text; the title is a CharField of 200


class Note(OnTimeline):
    """A note a user adds to a record's timeline (Dynamics 365's annotation: subject and note text).

    Written and deleted only by `services.notes`; shown among the events by `views.timeline`.
    """

    # Its author: `owner`, so that "the owner or a sales manager may delete it" is `roles.may_manage`.
    owner = _user()
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()

    class Meta(OnTimeline.Meta):
        indexes = [models.Index(fields=["document_type", "document_id", "-at"], name="note_document_idx")]

    def __str__(self) -> str:
        return self.title or self.text[:60]
