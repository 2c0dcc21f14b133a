from django import forms

from salesapp.core.views.records import ServiceValidated

from .models import (
    Currency,
    Discount,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    ProductState,
    Unit,
    UnitGroup,
)


class ProductForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "product_number",
            "name",
            "description",
            "unit_group",
            "default_unit",
            "default_price_list",
            "list_price",
            "standard_cost",
            "current_cost",
            "quantity_decimals",
            "state",
        ]
        labels = {
            "product_number": "Product ID",
            "default_unit": "Default Unit",
            "quantity_decimals": "Decimals Supported",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_unit"].queryset = Unit.objects.select_related("group")
        self.fields["default_unit"].label_from_instance = lambda u: f"{u.group.name} / {u.name}"
        if self.instance._state.adding:
            self.fields["state"].initial = ProductState.DRAFT

    def clean_quantity_decimals(self) -> int:
        value = self.cleaned_data["quantity_decimals"]
        if value > 5:
            raise forms.ValidationError("Decimals supported must be between 0 and 5.")
        return value


class PriceListForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency", "start_date", "end_date", "description"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class PriceListItemForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = PriceListItem
        fields = [
            "product",
            "unit",
            "pricing_method",
            "amount",
            "percentage",
            "rounding_policy",
            "rounding_option",
            "rounding_amount",
            "quantity_selling",
            "discount_list",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("group")
        self.fields["unit"].label_from_instance = lambda u: f"{u.group.name} / {u.name}"
        self.fields["unit"].required = False
        self.fields["unit"].help_text = "Empty: the product's default unit."


class UnitGroupForm(ServiceValidated, forms.ModelForm):
    base_unit_name = forms.CharField(
        label="Primary Unit",
        max_length=100,
        required=False,
        help_text="The base unit every other unit of the group is counted in.",
    )

    class Meta:
        model = UnitGroup
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            del self.fields["base_unit_name"]
        else:
            self.fields["base_unit_name"].required = True


class UnitForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "quantity", "base_unit"]
        labels = {"base_unit": "Base Unit"}

    def __init__(self, *args, group: UnitGroup, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        base = self.fields["base_unit"]
        base.queryset = group.units.exclude(pk=self.instance.pk)
        base.required = False
        base.help_text = "Empty: the group's primary unit."
        if not self.instance._state.adding and self.instance.is_primary:
            self.fields["quantity"].disabled = base.disabled = True
            self.fields["quantity"].help_text = "The primary unit of a group is always 1 × itself."
            base.help_text = ""


class DiscountListForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = DiscountList
        fields = ["name", "is_amount_type", "currency", "description"]
        labels = {"is_amount_type": "Amount type (else percentage)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class DiscountForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = Discount
        fields = ["begin_quantity", "end_quantity", "percentage", "amount"]


class CurrencyForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "symbol", "precision", "exchange_rate"]
        labels = {"code": "ISO Code", "precision": "Currency Precision", "exchange_rate": "Exchange Rate"}

    def __init__(self, *args, base_code: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "Three letters, such as EUR."
        self.fields["precision"].help_text = "Decimals of its amounts: 0 to 4."
        self.fields["exchange_rate"].help_text = (
            f"How many of this currency make 1 {base_code} (the base currency)."
            if base_code
            else "How many of this currency make 1 of the base currency."
        )
