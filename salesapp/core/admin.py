"""The Django admin shows every record but changes none that a service owns.

Prices, units, settings, numbers, customers and documents change only through the services (the
screens and the Web API), which keep the repricing bookkeeping, the validation and the timeline. An
admin form would write the row directly and skip all three, so these admins are read-only.
"""

from typing import Any

from django.contrib import admin

from .models import NumberSequence, OrganizationSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only, for everyone (superusers too): change the record in the app's own screens."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


admin.site.register(OrganizationSettings, ReadOnlyAdmin)


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_value"]
