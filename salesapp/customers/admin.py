from django.contrib import admin

from salesapp.core.admin import ReadOnlyAdmin

from .models import Account, Contact


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "account_number", "email", "address1_city"]
    search_fields = ["name", "account_number", "email"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "email", "account"]
    search_fields = ["last_name", "first_name", "email"]
