"""Forms of the sales screens. They parse and label; the services decide (and say why not)."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from salesapp.accounts.roles import sales_users
from salesapp.catalog.models import Currency, PriceList, Product, ProductState, Unit
from salesapp.core.views.records import OneTimeTokenField
from salesapp.customers.forms import CustomerField
from salesapp.customers.models import Contact
from salesapp.pricing import round_half_up
from salesapp.sales.models import (
    NOTE_TEXT_MAX,
    VAT_CATEGORY_CHOICES,
    CreditNote,
    Invoice,
    Opportunity,
    PaymentMethod,
    PricedDocument,
    Quote,
    SalesOrder,
)
from salesapp.sales.selectors import creditable_lines
from salesapp.sales.services.documents import COMMON_HEADER, EDITABLE_FIELDS, SALES_HEADER
from salesapp.sales.services.notes import NOTE_TITLE_MAX
from salesapp.sales.services.quotes import is_last_open_quote
from salesapp.sales.states import INVOICE, OPPORTUNITY, ORDER, QUOTE

MONEY = {"max_digits": 19, "decimal_places": 4}
QTY = {"max_digits": 19, "decimal_places": 5}
DATE = forms.DateInput(attrs={"type": "date"})


def option_html(value: Any, label: Any, *, selected: bool = False, disabled: bool = False) -> str:
    """One escaped <option> (the selects below, and the product lookup's answer)."""
    text = "" if value is None else str(value)
    marks = (" selected" if selected else "") + (" disabled" if disabled else "")
    return f'<option value="{escape(text)}"{marks}>{escape(label)}</option>'


class FastSelect(forms.Select):
    """A <select> rendered in Python: Django builds and renders every <option> through a template."""

    def _choice_pairs(self, selected: set[str]) -> Any:
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            return choices
        # A plain query: ModelChoiceIterator uses .iterator(), a server-side cursor on PostgreSQL
        # (three round trips for a five-row select).
        field = choices.field
        pairs = [("", field.empty_label)] if field.empty_label is not None else []
        return pairs + [
            (field.prepare_value(obj), field.label_from_instance(obj))
            for obj in self._objects(field, selected)
        ]

    def _objects(self, field: forms.ModelChoiceField, selected: set[str]) -> Any:
        return field.queryset

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self._choice_pairs(selected):
            text = "" if option_value is None else str(option_value)
            options.append(option_html(text, label, selected=text in selected))
        final = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe("".join(options))
        )


LOOKUP_LIMIT = 50


class LookupSelect(FastSelect):
    """A select over a catalog that may be large: the first LOOKUP_LIMIT rows and the chosen one; a search
    box beside it (views/lookup.py) fetches the others. Validation still accepts any row of the queryset."""

    def _objects(self, field: forms.ModelChoiceField, selected: set[str]) -> Any:
        first = list(field.queryset[:LOOKUP_LIMIT])
        chosen = {v for v in selected if v} - {str(obj.pk) for obj in first}
        if chosen:
            with contextlib.suppress(ValueError, DjangoValidationError):  # a posted value that isn't a key
                first += list(field.queryset.filter(pk__in=chosen))
        return first


class FastRender:
    """Render an <input> / <textarea> in Python instead of through the form renderer's templates."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        w = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        flat = flatatt(w["attrs"])
        if isinstance(self, forms.Textarea):
            return format_html('<textarea name="{}"{}>\n{}</textarea>', w["name"], flat, w["value"] or "")
        value = format_html(' value="{}"', w["value"]) if w["value"] not in (None, "") else ""
        return format_html('<input type="{}" name="{}"{}{}>', w["type"], w["name"], value, flat)


_FAST: dict[type, type] = {}


def fast(widget: forms.Widget) -> forms.Widget:
    cls = type(widget)
    if cls not in _FAST:
        _FAST[cls] = type(f"Fast{cls.__name__}", (FastRender, cls), {})
    widget.__class__ = _FAST[cls]
    return widget


class BootstrapBoundField(BoundField):
    """`{{ field.html }}`: label, input, errors and help in Bootstrap markup, built in Python (the same
    markup as includes/field.html, without an include per field)."""

    @property
    def html(self) -> SafeString:
        required = '<span class="asteriskField">*</span>' if self.field.required else ""
        kind = self.widget_type
        if kind == "checkbox":
            body = format_html(
                '{}<label class="form-check-label" for="{}">{}</label>',
                self.as_widget(),
                self.id_for_label,
                self.label,
            )
        elif kind == "radioselect":
            invalid = " is-invalid" if self.errors else ""
            disabled = " disabled" if self.field.disabled else ""
            radios = format_html_join(
                "",
                '<div class="form-check"><input type="radio" class="form-check-input{}" '
                'name="{}" value="{}" id="{}"{}{}><label class="form-check-label" '
                'for="{}">{}</label></div>',
                (
                    (
                        invalid,
                        self.html_name,
                        choice.data["value"],
                        choice.id_for_label,
                        mark_safe(" checked") if choice.data["selected"] else "",
                        disabled,
                        choice.id_for_label,
                        choice.choice_label,
                    )
                    for choice in self
                ),
            )
            body = format_html(
                '<fieldset><legend class="form-label fs-6">{}{}</legend>{}</fieldset>',
                self.label,
                mark_safe(required),
                radios,
            )
        else:
            body = format_html(
                '<label class="form-label" for="{}">{}{}</label>{}',
                self.id_for_label,
                self.label,
                mark_safe(required),
                self.as_widget(),
            )
        errors = format_html_join(
            "", '<div class="invalid-feedback d-block"><strong>{}</strong></div>', ((e,) for e in self.errors)
        )
        help_text = format_html('<div class="form-text">{}</div>', self.help_text) if self.help_text else ""
        css = "mb-3 form-check" if kind == "checkbox" else "mb-3"
        return format_html(
            '<div class="{}" id="div_{}">{}{}{}</div>', css, self.auto_id, body, errors, help_text
        )


class BootstrapWidgets:
    """Bootstrap classes on the widgets, so a page can render its fields with includes/field.html.

    The document page has ~45 inputs; crispy's field filter costs about 1 ms each there, the plain
    include a fifth of that (bench/pages.py: the 100-line invoice page must stay under 50 ms).
    """

    bound_field_class = BootstrapBoundField

    def style_widgets(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            if isinstance(widget, forms.HiddenInput):
                fast(widget)
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                select = FastSelect(attrs=widget.attrs, choices=widget.choices)
                select.is_required = widget.is_required
                field.widget = widget = select
                css = "form-select"
            else:
                css = "form-control"
            if isinstance(widget, Input | forms.Textarea) and not isinstance(widget, forms.FileInput):
                fast(widget)
            widget.attrs["class"] = css

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


class VersionedForm(BootstrapWidgets, forms.Form):
    """Carries the row_version the user saw: a stale one is refused by the service (two tabs, two clicks)."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, document: PricedDocument | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = document
        self.style_widgets()


class NoteForm(BootstrapWidgets, forms.Form):
    """A note's title (optional) and text. `services.note_add` checks both and names the field; the
    lengths here are only the browser's hint."""

    title = forms.CharField(label="Title (optional)", required=False)
    text = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["maxlength"] = NOTE_TITLE_MAX
        self.fields["text"].widget.attrs["maxlength"] = NOTE_TEXT_MAX
        self.style_widgets()


# --- create --------------------------------------------------------------------------------------


class DocumentCreateForm(forms.Form):
    form_token = OneTimeTokenField()
    customer = CustomerField(label="Customer")
    name = forms.CharField(label="Name", max_length=300)
    price_list = forms.ModelChoiceField(
        PriceList.objects.select_related("currency"),
        required=False,
        label="Price list",
        help_text="Empty: the customer's default price list.",
    )
    currency = forms.ModelChoiceField(
        Currency.objects.all(),
        required=False,
        label="Currency",
        help_text="Empty: the price list's currency.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].load()


# --- header --------------------------------------------------------------------------------------

OPPORTUNITY_HEADER = (
    *COMMON_HEADER,
    "estimated_close_date",
    "estimated_value",
    "is_revenue_system_calculated",
)


# A credit note is never edited: its header is shown, disabled, in the same sections as an invoice's.
SHOWN_FIELDS: dict[type[PricedDocument], tuple[str, ...]] = {CreditNote: SALES_HEADER}


def header_fields(model: type[PricedDocument]) -> tuple[str, ...]:
    return EDITABLE_FIELDS.get(model) or SHOWN_FIELDS.get(model) or OPPORTUNITY_HEADER


class HeaderForm(BootstrapWidgets, forms.ModelForm):
    """The header of a document. Its inputs sit in several sections of the page, all tied to
    <form id="header-form"> with the HTML form attribute."""

    row_version = forms.IntegerField(
        widget=forms.HiddenInput(attrs={"id": "header-row-version"}), min_value=0
    )

    def __init__(self, *args: Any, editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        doc = self.instance
        self.fields["row_version"].initial = doc.row_version
        if "contact" in self.fields:
            qs = (
                Contact.objects.filter(account_id=doc.customer_account_id)
                if doc.customer_account_id
                else Contact.objects.filter(pk=doc.customer_contact_id)
            )
            self.fields["contact"].queryset = qs
        if "price_list" in self.fields:
            self.fields["price_list"].queryset = PriceList.objects.select_related("currency")
        if doc.currency_id:  # show money at the currency's precision (stored with 4 decimals)
            for name in ("discount_amount", "freight_amount", "estimated_value"):
                if name in self.fields and self.initial.get(name) is not None:
                    self.initial[name] = round_half_up(Decimal(self.initial[name]), doc.currency.precision)
        for name, field in self.fields.items():
            field.widget.attrs["form"] = "header-form"
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(
                    attrs={"type": "date", "form": "header-form"}, format="%Y-%m-%d"
                )
            if not editable and name != "row_version":
                field.disabled = True
        self.style_widgets()

    def _post_clean(self) -> None:
        """Model rules are the service's job (it names the field); don't touch the instance here."""

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "row_version"}


def header_form_class(model: type[PricedDocument]) -> type[HeaderForm]:
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": list(header_fields(model)),
            "widgets": {"description": forms.Textarea(attrs={"rows": 3})},
            "labels": {name: model.field_label(name) for name in model.LABELS},
        },
    )
    return type(f"{model.__name__}HeaderForm", (HeaderForm,), {"Meta": meta})


HEADER_FORMS = {
    model: header_form_class(model) for model in (Opportunity, Quote, SalesOrder, Invoice, CreditNote)
}


# --- products grid ----------------------------------------------------------------------------------

EXISTING, WRITE_IN = "existing", "write_in"
USE_DEFAULT, OVERRIDE = "default", "override"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.group.name})"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.name} ({obj.product_number})"


def offer_default_pricing_only(form: forms.Form) -> None:
    """On a locked document catalog prices can't be typed over (SPEC §6): don't offer it."""
    field = form.fields["pricing"]
    field.choices = [(USE_DEFAULT, "Use Default")]
    field.help_text = (
        "Pricing is locked: catalog products take the price list's price. Write-ins are priced by hand."
    )


class LineForm(VersionedForm):
    """Quick Create of a document line: Existing (product + unit) or Write-In (name)."""

    line_type = forms.ChoiceField(
        label="Select product",
        choices=[(EXISTING, "Existing"), (WRITE_IN, "Write-In")],
        initial=EXISTING,
        widget=forms.RadioSelect,
    )
    product = ProductChoiceField(
        Product.objects.filter(state=ProductState.ACTIVE)
        .only("id", "name", "product_number")
        .order_by("name"),
        required=False,
        label="Existing product",
    )
    unit = UnitChoiceField(
        Unit.objects.select_related("group")
        .only("id", "name", "group__name")
        .order_by("group__name", "quantity", "name"),
        required=False,
        label="Unit",
        help_text="Empty: the product's default unit.",
    )
    write_in_name = forms.CharField(label="Write-in product", max_length=500, required=False)
    pricing = forms.ChoiceField(
        label="Pricing",
        choices=[(USE_DEFAULT, "Use Default"), (OVERRIDE, "Override Price")],
        initial=USE_DEFAULT,
        widget=forms.RadioSelect,
    )
    price_per_unit = forms.DecimalField(label="Price per unit", required=False, **MONEY)
    quantity = forms.DecimalField(label="Quantity", **QTY)
    manual_discount = forms.DecimalField(label="Manual discount", required=False, **MONEY)
    tax = forms.DecimalField(
        label="Tax",
        required=False,
        **MONEY,
        help_text="Typed when there is no VAT rate; else it follows from it.",
    )
    vat_category = forms.ChoiceField(
        label="VAT category",
        required=False,
        choices=[("", "—"), *VAT_CATEGORY_CHOICES],
        help_text="For e-invoices (EN 16931): S standard rate, Z zero rated, E exempt …",
    )
    tax_rate = forms.DecimalField(
        label="VAT rate %", required=False, max_digits=7, decimal_places=4, min_value=0
    )
    vat_exemption_reason = forms.CharField(label="VAT exemption reason", required=False, max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        product.widget = LookupSelect(attrs=product.widget.attrs, choices=product.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("line_type") == EXISTING:
            if not data.get("product"):
                self.add_error("product", "Choose a product, or switch to Write-In.")
            data["write_in_name"] = ""
        else:
            if not (data.get("write_in_name") or "").strip():
                self.add_error("write_in_name", "Name the write-in product.")
            data["product"] = data["unit"] = None
            data["pricing"] = OVERRIDE  # write-ins are always priced by hand
        if (
            data.get("pricing") == OVERRIDE
            and data.get("price_per_unit") is None
            and "price_per_unit" not in self.errors
        ):
            self.add_error("price_per_unit", "Enter the price per unit.")
        return data

    def service_args(self) -> dict[str, Any]:
        d = self.cleaned_data
        overridden = d["pricing"] == OVERRIDE
        return {
            "product": d.get("product"),
            "unit": d.get("unit"),
            "write_in_name": d.get("write_in_name") or "",
            "is_price_overridden": overridden,
            "price_per_unit": d.get("price_per_unit") if overridden else None,
            "quantity": d["quantity"],
            "manual_discount": d.get("manual_discount") or 0,
            "tax": d.get("tax") or 0,
            "vat_category": d.get("vat_category") or "",
            "tax_rate": d.get("tax_rate"),
            "vat_exemption_reason": d.get("vat_exemption_reason") or "",
            "description": d.get("description") or "",
        }

    def changes(self, line: Any) -> dict[str, Any]:
        """What changed on an existing line, in line_update's field names."""
        args = self.service_args()
        current = {
            "product": line.product,
            "unit": line.unit,
            "write_in_name": line.write_in_name,
            "is_price_overridden": line.is_price_overridden,
            "price_per_unit": line.price_per_unit,
            "quantity": line.quantity,
            "manual_discount": line.manual_discount,
            "tax": line.tax,
            "vat_category": line.vat_category,
            "tax_rate": line.tax_rate,
            "vat_exemption_reason": line.vat_exemption_reason,
            "description": line.description,
        }
        if args["unit"] is None and args["product"] is not None and args["product"] == line.product:
            args["unit"] = line.unit
        if not args["is_price_overridden"]:
            args.pop("price_per_unit")
        return {k: v for k, v in args.items() if current[k] != v}

    @classmethod
    def for_line(cls, line: Any, version: int) -> LineForm:
        return cls(
            initial={
                "row_version": version,
                "line_type": WRITE_IN if line.is_write_in else EXISTING,
                "product": line.product_id,
                "unit": line.unit_id,
                "write_in_name": line.write_in_name,
                "pricing": OVERRIDE if line.is_price_overridden else USE_DEFAULT,
                "price_per_unit": line.price_per_unit,
                "quantity": line.quantity,
                "manual_discount": line.manual_discount,
                "tax": line.tax,
                "vat_category": line.vat_category,
                "tax_rate": line.tax_rate,
                "vat_exemption_reason": line.vat_exemption_reason,
                "description": line.description,
            },
            prefix=f"line-{line.pk}",
        )


# --- command dialogs ------------------------------------------------------------------------------------


class CloseAsWonForm(VersionedForm):
    actual_revenue = forms.DecimalField(
        label="Actual revenue", required=False, **MONEY, help_text="Empty: the estimated revenue."
    )
    close_date = forms.DateField(label="Close date", required=False, widget=DATE, initial=timezone.localdate)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseAsLostForm(VersionedForm):
    status = forms.TypedChoiceField(
        label="Status reason",
        coerce=int,
        choices=OPPORTUNITY.reason_choices("lose"),
    )
    competitor = forms.CharField(label="Competitor", required=False, max_length=200)
    close_date = forms.DateField(label="Close date", required=False, widget=DATE, initial=timezone.localdate)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseQuoteForm(VersionedForm):
    status = forms.TypedChoiceField(
        label="Status reason",
        coerce=int,
        choices=QUOTE.reason_choices("close"),
    )
    close_date = forms.DateField(label="Close date", required=False, widget=DATE, initial=timezone.localdate)
    create_revision = forms.BooleanField(label="Create a revised quote (Revised only)", required=False)
    close_opportunity = forms.BooleanField(label="Close the opportunity as lost", required=False)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offered only on the opportunity's last open quote, as in Dynamics 365.
        if not (isinstance(self.document, Quote) and is_last_open_quote(self.document)):
            del self.fields["close_opportunity"]


class ConvertQuoteForm(VersionedForm):
    close_opportunity = forms.BooleanField(label="Close the opportunity as won", required=False)


class FulfillOrderForm(VersionedForm):
    status = forms.TypedChoiceField(
        label="Status reason",
        coerce=int,
        choices=ORDER.reason_choices("fulfill"),
    )
    date_fulfilled = forms.DateField(
        label="Date fulfilled", required=False, widget=DATE, initial=timezone.localdate
    )


class CancelOrderForm(VersionedForm):
    canceled_on = forms.DateField(
        label="Cancel date", required=False, widget=DATE, initial=timezone.localdate
    )
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentFields(forms.Form):
    """How and where a payment came in: the fields Invoice Paid and Add Payment share."""

    method = forms.TypedChoiceField(
        label="Payment method",
        coerce=int,
        choices=PaymentMethod.choices,
        initial=PaymentMethod.BANK_TRANSFER,
        required=False,
        empty_value=None,
    )
    reference = forms.CharField(
        label="Reference", required=False, max_length=100, help_text="The bank or check reference, if any."
    )


class InvoicePaidForm(PaymentFields, VersionedForm):
    field_order = ["status", "paid_on", "amount", "method", "reference"]
    status = forms.TypedChoiceField(
        label="Status reason",
        coerce=int,
        widget=forms.RadioSelect,
        choices=INVOICE.reason_choices("pay"),
        initial=INVOICE.target_status("pay")[1],
    )
    paid_on = forms.DateField(label="Date paid", required=False, widget=DATE, initial=timezone.localdate)
    amount = forms.DecimalField(
        label="Amount paid", required=False, **MONEY, help_text="Partial payments only: the amount received."
    )


class AddPaymentForm(PaymentFields, VersionedForm):
    """Add Payment on a Paid · Partial invoice. The field names are the service's (`payment_record`),
    so a refusal (more than the balance, a future date) shows next to the field it names."""

    field_order = ["amount", "paid_on", "method", "reference"]

    amount = forms.DecimalField(label="Amount", **MONEY)
    paid_on = forms.DateField(label="Date paid", required=False, widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        doc = self.document
        if isinstance(doc, Invoice) and not self.is_bound and doc.balance_due > 0:
            self.fields["amount"].initial = round_half_up(doc.balance_due, doc.currency.precision)
            self.fields["amount"].help_text = "At most the balance due."


class CreditNoteForm(VersionedForm):
    """Create Credit Note: a quantity for each invoice line (0: not credited), a reason and a date.

    The line inputs are named `line_<invoice line id>` (empty or 0: not credited); `clean` builds the
    service's `lines` and remembers which input each of its entries came from, so an error the
    service names `lines[i].quantity` is shown next to that input (`credit_line_input`).
    """

    credit_date = forms.DateField(
        label="Credit date", required=False, widget=DATE, initial=timezone.localdate
    )
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice_lines: list[dict[str, Any]] = []
        if isinstance(self.document, Invoice):
            self.invoice_lines = creditable_lines(self.document)
        for line in self.invoice_lines:
            name = f"line_{str(line['pk']).replace('-', '')}"
            self.fields[name] = forms.DecimalField(
                label=line["product_name"],
                required=False,
                initial=line["remaining"],
                help_text=f"Invoiced {line['quantity_shown']}; at most {line['remaining_shown']} left to credit.",
            )
            line["field"] = name
            widget = fast(self.fields[name].widget)
            widget.attrs.update({"class": "form-control form-control-sm text-end", "step": "any"})
        for line in self.invoice_lines:
            line["input"] = self[line["field"]]

    def other_fields(self) -> list[Any]:
        return [self["credit_date"], self["reason"]]

    def clean(self) -> dict[str, Any]:
        """`lines`: the service's list (lines with a quantity); `line_inputs`: the input each came from."""
        data = super().clean() or {}
        lines, inputs = [], []
        for line in self.invoice_lines:
            quantity = data.get(line["field"])
            if quantity:
                lines.append({"invoice_detail": line["pk"], "quantity": quantity})
                inputs.append(line["field"])
        if not lines and self.invoice_lines and not self.errors:
            raise forms.ValidationError("Enter a quantity to credit for at least one line.")
        data["lines"], data["line_inputs"] = lines, inputs
        return data


def credit_line_input(service_field: str | None, line_inputs: list[str]) -> str | None:
    """The Create Credit Note input that the service's `lines[i].…` names; other names unchanged."""
    if service_field and service_field.startswith("lines["):
        index = service_field[len("lines[") :].split("]", 1)[0]
        if index.isdigit() and int(index) < len(line_inputs):
            return line_inputs[int(index)]
    return service_field


class StatusReasonForm(VersionedForm):
    """The status reasons of the document's current state (the lifecycle table's `set_status`)."""

    status = forms.TypedChoiceField(label="Status reason", coerce=int, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.document is not None:
            self.fields["status"].choices = self.document.lifecycle.reason_choices("set_status")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class AssignForm(VersionedForm):
    """Assign: the user who owns the record from now on (active, with a sales role)."""

    owner = UserChoiceField(sales_users(), label="Assign to", empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = sales_users()  # type: ignore[attr-defined]
        field.widget.choices = field.choices  # type: ignore[attr-defined]


class GetProductsForm(VersionedForm):
    opportunity = forms.ModelChoiceField(Opportunity.objects.none(), label="Opportunity")

    def __init__(self, *args: Any, document: PricedDocument | None = None, **kwargs: Any) -> None:
        super().__init__(*args, document=document, **kwargs)
        qs = Opportunity.objects.none()
        if document is not None:
            qs = Opportunity.objects.filter(currency_id=document.currency_id).order_by("name")
            if document.customer_account_id:
                qs = qs.filter(customer_account_id=document.customer_account_id)
            else:
                qs = qs.filter(customer_contact_id=document.customer_contact_id)
        self.fields["opportunity"].queryset = qs
        self.fields["opportunity"].widget.choices = self.fields["opportunity"].choices
