"""Customers: accounts and contacts (SPEC §2)."""

from django.db import models

from salesapp.core.addresses import Address1, Address2
from salesapp.core.models import TimeStamped


class Account(TimeStamped, Address1, Address2):
    name = models.CharField(max_length=160, db_index=True)
    account_number = models.CharField(max_length=20, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    tax_id = models.CharField("tax id", max_length=60, blank=True)
    primary_contact = models.ForeignKey(
        "Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def billing_email(self) -> str:
        if self.email:
            return self.email
        return self.primary_contact.email if self.primary_contact else ""


class Contact(TimeStamped, Address1):
    first_name = models.CharField(max_length=50, blank=True)
    last_name = models.CharField(max_length=50)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name="parent account",
    )
    default_price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def name(self) -> str:
        return self.full_name

    @property
    def billing_email(self) -> str:
        return self.email
