"""Typed factory_boy factories for catalog and customer rows. Documents are built through services."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from salesapp.accounts.roles import SALES_MANAGER, SALESPERSON
from salesapp.catalog.models import Currency, PriceList, PriceListItem, Product, ProductState, Unit, UnitGroup
from salesapp.customers.models import Account, Contact


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-salesapp-123")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])


def salesperson(username: str = "sally") -> User:
    return UserFactory(username=username, role=SALESPERSON)


def manager(username: str = "max") -> User:
    return UserFactory(username=username, role=SALES_MANAGER)


class CurrencyFactory(factory.django.DjangoModelFactory[Currency]):
    class Meta:
        model = Currency
        django_get_or_create = ("code",)

    code = "USD"
    name = "US Dollar"
    symbol = "$"
    precision = 2


class UnitGroupFactory(factory.django.DjangoModelFactory[UnitGroup]):
    class Meta:
        model = UnitGroup
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = "Default Unit"

    @factory.post_generation
    def base(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and not self.units.exists():
            Unit.objects.create(group=self, name=extracted or "Primary Unit", quantity=Decimal("1"))


class PriceListFactory(factory.django.DjangoModelFactory[PriceList]):
    class Meta:
        model = PriceList
        django_get_or_create = ("name",)

    name = "Retail"
    currency = factory.SubFactory(CurrencyFactory)


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    product_number = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_group = factory.SubFactory(UnitGroupFactory)
    default_unit = factory.LazyAttribute(lambda o: o.unit_group.units.get(base_unit__isnull=True))
    list_price = Decimal("100.00")
    standard_cost = Decimal("60.00")
    current_cost = Decimal("70.00")
    quantity_decimals = 2
    state = ProductState.ACTIVE


class PriceListItemFactory(factory.django.DjangoModelFactory[PriceListItem]):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    unit = factory.LazyAttribute(lambda o: o.product.default_unit)
    pricing_method = 1
    amount = Decimal("100.00")


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    email = factory.LazyAttribute(lambda o: f"billing{abs(hash(o.name)) % 10000}@customer.example")
    address1_line1 = "1 Main Street"
    address1_city = "Springfield"
    address1_postalcode = "12345"
    address1_country = "US"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    first_name = "Jo"
    last_name = factory.Sequence(lambda n: f"Customer{n}")
    email = factory.LazyAttribute(lambda o: f"{o.last_name.lower()}@customer.example")
