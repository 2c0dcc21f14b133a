from django.contrib import admin

from .models import Account, Contact


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "account_number", "email", "address1_city"]
    search_fields = ["name", "account_number", "email"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "account"]
    search_fields = ["last_name", "first_name", "email"]
