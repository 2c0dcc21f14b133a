"""Writes to the organization's own settings (SPEC §2: one row)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from salesapp.catalog.services import bump_price_lists
from salesapp.core.exceptions import ValidationFailed, full_clean_or_fail
from salesapp.core.models import OrganizationSettings

# What open documents are priced with besides their price list (PricingContext): the places of a
# price per unit and a volume discount, and whether a manual discount is per line or per unit.
PRICING_SETTINGS = ("pricing_precision", "discount_calculation")
SETTINGS = {f.name for f in OrganizationSettings._meta.concrete_fields if f.editable and not f.primary_key}


@transaction.atomic
def organization_settings_save(*, by: Any, **changes: Any) -> OrganizationSettings:
    """Change the organization settings, with their row locked.

    Changing a pricing setting bumps every price list's revision, so open, unlocked documents reprice
    the next time they are read, as after a price list change (SPEC §6); locked and closed documents
    keep the prices they have.
    """
    unknown = sorted(set(changes) - SETTINGS)
    if unknown:
        raise ValidationFailed(f"There is no organization setting named {unknown[0]}.", field=unknown[0])
    OrganizationSettings.load()  # the row exists from then on
    org = OrganizationSettings.objects.select_for_update().get(pk=1)
    precision = changes.get("pricing_precision", org.pricing_precision)
    if precision is None or not 0 <= precision <= 4:
        raise ValidationFailed(
            "The pricing decimal precision must be between 0 and 4.", field="pricing_precision"
        )
    before = [getattr(org, name) for name in PRICING_SETTINGS]
    for name, value in changes.items():
        setattr(org, name, value)
    full_clean_or_fail(org)
    org.save()
    if [getattr(org, name) for name in PRICING_SETTINGS] != before:
        bump_price_lists()
    return org
