"""A pricing error as the ValidationFailed a form or the Web API shows next to the field it names.

Here, the lowest app that prices (price list items), so that the catalog and the sales documents share it.
"""

from __future__ import annotations

from salesapp import pricing
from salesapp.core.exceptions import ValidationFailed

# pricing.py names fields the way the Web API does; forms use the model's names.
FIELD_NAMES = {
    "quantity": "quantity",
    "priceperunit": "price_per_unit",
    "volumediscountamount": "volume_discount",
    "manualdiscountamount": "manual_discount",
    "tax": "tax",
    "discountpercentage": "discount_percentage",
    "discountamount": "discount_amount",
    "freightamount": "freight_amount",
    "percentage": "percentage",
    "roundingoptionamount": "rounding_amount",
    "currentcost": "current_cost",
    "standardcost": "standard_cost",
    "price": "list_price",
    "amount": "amount",
    "roundingoptioncode": "rounding_option",
    "totalamount": "total_amount",
    "vatcategorycode": "vat_category",
    "vatrate": "tax_rate",
}


def as_validation_error(error: pricing.PricingError) -> ValidationFailed:
    return ValidationFailed(error.message, field=FIELD_NAMES.get(error.field, error.field))
