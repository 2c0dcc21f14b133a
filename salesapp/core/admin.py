from django.contrib import admin

from .models import NumberSequence, OrganizationSettings

admin.site.register(OrganizationSettings)


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "last_value"]

    def has_change_permission(self, request, obj=None):  # numbers only move by services
        return False
