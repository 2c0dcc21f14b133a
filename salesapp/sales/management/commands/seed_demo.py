"""`manage.py seed_demo`: a believable sales database for `make run` and screen walkthroughs.

Everything is built through the services (catalog, customers, sales), so the demo can't hold a state
the application couldn't reach. It is deterministic (seeded random, dates relative to today), runs in
one transaction and is idempotent: when the demo is already there it only prints the logins.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from salesapp.accounts.roles import SALES_MANAGER, SALESPERSON
from salesapp.catalog import services as catalog
from salesapp.catalog.models import (
    Currency,
    Discount,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    ProductState,
    Unit,
)
from salesapp.core.models import OrganizationSettings
from salesapp.customers import services as customers
from salesapp.customers.models import Account, Contact
from salesapp.pricing import PricingMethod, QuantitySelling, RoundingOption, RoundingPolicy
from salesapp.sales import services
from salesapp.sales.models import (
    CreditNote,
    Invoice,
    Opportunity,
    Payment,
    PaymentMethod,
    PaymentTerms,
    SalesOrder,
    ShippingMethod,
)
from salesapp.sales.states import InvoiceStatus, OpportunityStatus, OrderStatus, QuoteStatus

PASSWORD = "salesapp-demo"
MARKER_PRODUCT = "DEMO-0001"  # the first demo product: its presence (with `sally`) means "already seeded"
LOGINS = (
    ("sally", "Salesperson"),
    ("max", "Sales manager"),
    ("admin", "Administrator (Django admin too)"),
)
D = Decimal
EUR_RATE = Decimal("0.92")  # euros for one US dollar

# (name, unit group, list price, standard cost, current cost, quantity decimals); numbered DEMO-0001 …
PRODUCTS = [
    ("27-inch 4K Monitor", "each", "399.00", "240.00", "251.50", 0),
    ("Wireless Keyboard and Mouse", "each", "79.00", "31.00", "33.20", 0),
    ("USB-C Docking Station", "each", "229.00", "120.00", "126.00", 0),
    ("Ergonomic Office Chair", "each", "489.00", "260.00", "275.00", 0),
    ("Standing Desk Frame", "each", "649.00", "350.00", "362.40", 0),
    ("Laser Printer A4", "each", "349.00", "190.00", "199.00", 0),
    ("Toner Cartridge Black", "each", "89.00", "38.00", "41.75", 0),
    ("Network Switch 24-port", "each", "539.00", "300.00", "318.00", 0),
    ("Wi-Fi 6 Access Point", "each", "189.00", "92.00", "97.30", 0),
    ("Rack Server 1U", "each", "3490.00", "2100.00", "2245.00", 0),
    ("UPS 1500VA", "each", "459.00", "255.00", "262.00", 0),
    ("Cat6 Patch Cable 2 m", "each", "6.90", "1.40", "1.55", 0),
    ("Barcode Scanner", "each", "159.00", "71.00", "74.00", 0),
    ("Conference Speakerphone", "each", "299.00", "150.00", "158.00", 0),
    ("HD Webcam", "each", "99.00", "41.00", "43.90", 0),
    ("Noise-cancelling Headset", "each", "189.00", "88.00", "92.00", 0),
    ("1 TB NVMe SSD", "each", "119.00", "62.00", "58.40", 0),
    ("Copy Paper A4 (ream)", "each", "5.49", "2.10", "2.35", 0),
    ("Label Printer", "each", "139.00", "66.00", "69.00", 0),
    ("Laptop Backpack", "each", "69.00", "24.00", "25.50", 0),
    ("Installation Service", "hours", "120.00", "65.00", "68.00", 1),
    ("IT Consulting", "hours", "165.00", "90.00", "95.00", 1),
    ("Remote Support", "hours", "95.00", "48.00", "50.00", 2),
    ("Project Management", "hours", "140.00", "80.00", "82.00", 1),
    ("On-site Training", "hours", "130.00", "70.00", "72.00", 1),
    ("Extended Warranty (1 year)", "each", "149.00", "35.00", "35.00", 0),
    ("Cloud Backup (monthly)", "each", "29.00", "9.00", "9.50", 0),
]
NOT_FOR_SALE = [  # (name, group, list price, state)
    ("Smart Whiteboard (preview)", "each", "2490.00", ProductState.DRAFT),
    ("VGA Adapter", "each", "19.00", ProductState.RETIRED),
    ("Fax Machine", "each", "249.00", ProductState.RETIRED),
    ("Docking Station (v2 being revised)", "each", "189.00", ProductState.UNDER_REVISION),
]

ACCOUNTS_US = [
    ("Adventure Works Cycles", "Seattle", "WA", "98101"),
    ("Alpine Ski House", "Denver", "CO", "80202"),
    ("Blue Yonder Airlines", "Dallas", "TX", "75201"),
    ("City Power & Light", "Chicago", "IL", "60601"),
    ("Coho Winery", "Napa", "CA", "94559"),
    ("Contoso Pharmaceuticals", "Boston", "MA", "02110"),
    ("Fabrikam Residences", "Austin", "TX", "78701"),
    ("Fourth Coffee", "Portland", "OR", "97204"),
    ("Graphic Design Institute", "New York", "NY", "10001"),
    ("Humongous Insurance", "Hartford", "CT", "06103"),
    ("Litware Inc.", "San Jose", "CA", "95113"),
    ("Lucerne Publishing", "Philadelphia", "PA", "19103"),
    ("Margie's Travel", "Miami", "FL", "33131"),
    ("Northwind Traders", "Atlanta", "GA", "30303"),
    ("Proseware Inc.", "Raleigh", "NC", "27601"),
    ("School of Fine Art", "Providence", "RI", "02903"),
    ("Southridge Video", "Los Angeles", "CA", "90012"),
    ("Tailspin Toys", "Minneapolis", "MN", "55401"),
    ("Trey Research", "San Diego", "CA", "92101"),
    ("The Phone Company", "Kansas City", "MO", "64105"),
    ("VanArsdel Ltd.", "Phoenix", "AZ", "85004"),
    ("Wide World Importers", "Baltimore", "MD", "21202"),
    ("Wingtip Toys", "Salt Lake City", "UT", "84101"),
    ("Woodgrove Bank", "Charlotte", "NC", "28202"),
    ("A. Datum Corporation", "Columbus", "OH", "43215"),
    ("Best For You Organics", "Madison", "WI", "53703"),
    ("Consolidated Messenger", "Newark", "NJ", "07102"),
    ("First Up Consultants", "Nashville", "TN", "37203"),
    ("Lamna Healthcare", "Cleveland", "OH", "44113"),
    ("Munson's Pickles and Preserves", "Albany", "NY", "12207"),
    ("Nod Publishers", "Ann Arbor", "MI", "48104"),
    ("Relecloud", "Redmond", "WA", "98052"),
    ("Tasmanian Traders", "Boise", "ID", "83702"),
    ("Bellows College", "Burlington", "VT", "05401"),
    ("Datum Labs", "Pittsburgh", "PA", "15222"),
    ("Hayden Freight", "Memphis", "TN", "38103"),
    ("Kingfisher Marine", "Norfolk", "VA", "23510"),
    ("Oakridge Dental Group", "Omaha", "NE", "68102"),
]
ACCOUNTS_EU = [
    ("Brauerei Kranich GmbH", "München", "BY", "80331", "DE"),
    ("Café Lumière SARL", "Lyon", "", "69002", "FR"),
    ("Delft Precisie B.V.", "Delft", "ZH", "2611", "NL"),
    ("Estudio Marea S.L.", "Valencia", "", "46001", "ES"),
    ("Fjord Logistikk AS", "Bergen", "", "5003", "NO"),
    ("Giardini Verdi S.r.l.", "Milano", "MI", "20121", "IT"),
    ("Hafenkontor Nord GmbH", "Hamburg", "HH", "20095", "DE"),
    ("Ilves Design Oy", "Tampere", "", "33100", "FI"),
    ("Jardim Azul Lda.", "Porto", "", "4050", "PT"),
    ("Kobenhavn Kaffe ApS", "København", "", "1050", "DK"),
    ("Lindqvist Verktyg AB", "Göteborg", "", "41103", "SE"),
    ("Mosel Weinhaus KG", "Trier", "RP", "54290", "DE"),
]
FIRST = [
    "Alex",
    "Maria",
    "James",
    "Priya",
    "Chen",
    "Sofia",
    "Liam",
    "Aisha",
    "Noah",
    "Elena",
    "Omar",
    "Grace",
    "Lukas",
    "Hannah",
    "Mateo",
    "Yuki",
    "Olivia",
    "Ravi",
    "Emma",
    "Jonas",
    "Chloé",
    "Pedro",
]
LAST = [
    "Johnson",
    "Garcia",
    "Smith",
    "Patel",
    "Wang",
    "Rossi",
    "Müller",
    "Khan",
    "Brown",
    "Novak",
    "Haddad",
    "Kim",
    "Schmidt",
    "Larsen",
    "Fernández",
    "Tanaka",
    "Dubois",
    "Nair",
    "Wilson",
    "Berg",
    "Moreau",
    "Silva",
]
TITLES = [
    "Purchasing Manager",
    "IT Director",
    "Office Manager",
    "CFO",
    "Operations Lead",
    "Facilities Manager",
]
STREETS = [
    "Main Street",
    "Oak Avenue",
    "Market Street",
    "Harbor Road",
    "Pine Lane",
    "Elm Street",
    "Lake Drive",
    "Industrial Way",
    "Commerce Blvd",
    "River Road",
    "Hauptstraße",
    "Rue de la République",
]
WRITE_INS = [
    ("Site survey", "250.00"),
    ("Expedited shipping", "45.00"),
    ("Custom engraving", "12.50"),
    ("Cable management kit", "38.00"),
    ("Data migration (fixed fee)", "900.00"),
]
TOPICS = [
    "office refresh",
    "network upgrade",
    "new branch fit-out",
    "workstation rollout",
    "server room",
    "hybrid meeting rooms",
    "support contract",
    "warehouse scanners",
    "printing fleet",
    "training programme",
]


@dataclass
class Catalog:
    usd: Currency
    eur: Currency
    retail: PriceList
    europe: PriceList
    active: list[Product]


class Command(BaseCommand):
    help = "Load the demo organization, users, catalog, customers and documents (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_present():
            self.stdout.write("The demo data is already loaded; nothing changed.")
        else:
            with transaction.atomic():
                counts = Seeder(random.Random(20260101)).run()
            self.stdout.write(
                self.style.SUCCESS("Demo data loaded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
            )
        self.stdout.write(f"Log in at /login/ with password {PASSWORD!r} as:")
        for username, role in LOGINS:
            self.stdout.write(f"  {username:<6} {role}")


def demo_present() -> bool:
    return (
        User.objects.filter(username="sally").exists()
        and Product.objects.filter(product_number=MARKER_PRODUCT).exists()
    )


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def short_name(name: str) -> str:
    """ "Wide World Importers" → "Wide World", "A. Datum Corporation" → "A. Datum": a deal's topic prefix."""
    words = []
    for word in name.split():
        words.append(word)
        if len(" ".join(words)) >= 5:
            break
    return " ".join(words)


def money(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"))


class Seeder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.today = timezone.localdate()

    def run(self) -> dict[str, int]:
        self.organization()
        self.sally, self.max, self.admin = self.users()
        cat = self.catalog()
        accounts = self.customers(cat)
        self.documents(cat, accounts)
        return {
            "products": Product.objects.count(),
            "accounts": Account.objects.count(),
            "opportunities": Opportunity.objects.count(),
            "orders": SalesOrder.objects.count(),
            "invoices": Invoice.objects.count(),
            "payments": Payment.objects.count(),
            "credit notes": CreditNote.objects.count(),
        }

    # --- organization and users -------------------------------------------------------------
    def organization(self) -> None:
        usd, _ = Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "symbol": "$"})
        org = OrganizationSettings.load()
        org.seller_name = "Contoso Office Solutions Inc."
        org.address_line1 = "One Contoso Way"
        org.address_line2 = "Suite 400"
        org.address_city = "Redmond"
        org.address_stateorprovince = "WA"
        org.address_postalcode = "98052"
        org.address_country = "US"
        org.tax_id = "US911144442"  # an ISO country prefix, as EN 16931 wants (BR-CO-09)
        org.einvoicing = True  # invoices and credit notes are Factur-X (every demo line has a VAT category)
        org.email = "billing@contoso-office.example"
        org.phone = "+1 425 555 0100"
        org.website = "https://contoso-office.example"
        org.payment_instructions = (
            "Please pay by bank transfer to Contoso Office Solutions Inc., Woodgrove Bank, "
            "account 0123456789, routing 125000024, quoting the invoice number."
        )
        org.invoice_footer = "Thank you for your business. Questions? billing@contoso-office.example"
        org.default_currency = usd
        org.quote_prefix, org.order_prefix, org.invoice_prefix = "QUO-", "ORD-", "INV-"
        org.credit_note_prefix = "CN-"
        org.full_clean()
        org.save()

    def users(self) -> tuple[User, User, User]:
        def user(username: str, first: str, last: str, group: str | None, **flags: bool) -> User:
            u, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@contoso-office.example",
                    **flags,
                },
            )
            if created:
                u.set_password(PASSWORD)
                u.save()
            if group:
                u.groups.add(Group.objects.get_or_create(name=group)[0])
            return u

        return (
            user("sally", "Sally", "Seller", SALESPERSON),
            user("max", "Max", "Manager", SALES_MANAGER),
            user("admin", "Ada", "Admin", SALES_MANAGER, is_staff=True, is_superuser=True),
        )

    # --- catalog --------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        by = self.max
        usd = Currency.objects.get(code="USD")
        # the base currency is USD: 1 USD = 0.92 EUR, as a finance team would key it in
        eur = catalog.currency_save(
            currency=Currency(),
            by=by,
            code="EUR",
            name="Euro",
            symbol="€",
            precision=2,
            exchange_rate=EUR_RATE,
        )
        each = catalog.unit_group_create(name="Each", base_unit_name="Each", by=by, description="Pieces")
        box = catalog.unit_create(group=each, name="Box", quantity=D("12"), by=by)
        hours = catalog.unit_group_create(name="Hours", base_unit_name="Hour", by=by, description="Time")
        day = catalog.unit_create(group=hours, name="Day", quantity=D("8"), by=by)
        groups = {"each": each, "hours": hours}
        base = {"each": each.base_unit, "hours": hours.base_unit}

        retail = catalog.price_list_save(
            price_list=PriceList(), by=by, name="Retail", currency=usd, description="US list prices"
        )
        europe = catalog.price_list_save(
            price_list=PriceList(),
            by=by,
            name="Europe",
            currency=eur,
            description="Euro prices for EU customers",
        )
        volume = catalog.discount_list_save(
            discount_list=DiscountList(),
            by=by,
            name="Volume tiers",
            description="Quantity breaks for consumables and accessories",
        )
        for begin, end, pct in (("10", "49", "5"), ("50", "99", "10"), ("100", "999999", "15")):
            catalog.discount_save(
                discount=Discount(discount_list=volume),
                begin_quantity=D(begin),
                end_quantity=D(end),
                percentage=D(pct),
            )
        bulk_usd = catalog.discount_list_save(
            discount_list=DiscountList(), by=by, name="Bulk cable (USD)", is_amount_type=True, currency=usd
        )
        for begin, end, amount in (("100", "499", "0.40"), ("500", "999999", "0.90")):
            catalog.discount_save(
                discount=Discount(discount_list=bulk_usd),
                begin_quantity=D(begin),
                end_quantity=D(end),
                amount=D(amount),
            )

        active: list[Product] = []
        for n, (name, group, price, std, cur, decimals) in enumerate(PRODUCTS, start=1):
            product = catalog.product_save(
                product=Product(),
                by=by,
                product_number=f"DEMO-{n:04d}",
                name=name,
                unit_group=groups[group],
                default_unit=base[group],
                default_price_list=retail,
                list_price=D(price),
                standard_cost=D(std),
                current_cost=D(cur),
                quantity_decimals=decimals,
                state=ProductState.ACTIVE,
                description=f"{name} — demo catalog item.",
            )
            active.append(product)
            self.price_items(
                product,
                n,
                retail,
                europe,
                base[group],
                volume if n % 4 == 3 else None,
                bulk_usd if name.startswith("Cat6") else None,
            )
            if group == "each" and n in (7, 12, 18):  # consumables also sell by the box
                catalog.price_list_item_save(
                    item=PriceListItem(),
                    by=by,
                    price_list=retail,
                    product=product,
                    unit=box,
                    pricing_method=PricingMethod.CURRENCY_AMOUNT,
                    amount=money(D(price) * 12 * D("0.9")),
                    quantity_selling=QuantitySelling.WHOLE,
                )
            if group == "hours":
                catalog.price_list_item_save(
                    item=PriceListItem(),
                    by=by,
                    price_list=retail,
                    product=product,
                    unit=day,
                    pricing_method=PricingMethod.CURRENCY_AMOUNT,
                    amount=money(D(price) * 8 * D("0.95")),
                )
        for n, (name, group, price, state) in enumerate(NOT_FOR_SALE, start=len(PRODUCTS) + 1):
            product = catalog.product_save(
                product=Product(),
                by=by,
                product_number=f"DEMO-{n:04d}",
                name=name,
                unit_group=groups[group],
                default_unit=base[group],
                list_price=D(price),
                standard_cost=money(D(price) / 2),
                current_cost=money(D(price) / 2),
                state=state,
            )
            catalog.price_list_item_save(
                item=PriceListItem(),
                by=by,
                price_list=retail,
                product=product,
                pricing_method=PricingMethod.PERCENT_OF_LIST,
                percentage=D("100"),
            )
        return Catalog(usd=usd, eur=eur, retail=retail, europe=europe, active=active)

    def price_items(
        self,
        product: Product,
        n: int,
        retail: PriceList,
        europe: PriceList,
        unit: Unit,
        volume: DiscountList | None,
        amount_list: DiscountList | None,
    ) -> None:
        """Vary the pricing methods and rounding across the catalog, as a real price list would."""
        kind = n % 5
        if kind == 0:
            usd_item = {"pricing_method": PricingMethod.CURRENCY_AMOUNT, "amount": product.list_price}
        elif kind == 1:  # percent of list, ends in .99
            usd_item = {
                "pricing_method": PricingMethod.PERCENT_OF_LIST,
                "percentage": D("95"),
                "rounding_policy": RoundingPolicy.UP,
                "rounding_option": RoundingOption.ENDS_IN,
                "rounding_amount": D("0.99"),
            }
        elif kind == 2:  # markup on current cost, multiple of 0.05
            usd_item = {
                "pricing_method": PricingMethod.MARKUP_CURRENT_COST,
                "percentage": D("55"),
                "rounding_policy": RoundingPolicy.TO_NEAREST,
                "rounding_option": RoundingOption.MULTIPLE_OF,
                "rounding_amount": D("0.05"),
            }
        elif kind == 3:  # margin on standard cost
            usd_item = {
                "pricing_method": PricingMethod.MARGIN_STANDARD_COST,
                "percentage": D("40"),
                "rounding_policy": RoundingPolicy.TO_NEAREST,
                "rounding_option": RoundingOption.ENDS_IN,
                "rounding_amount": D("0.99"),
            }
        else:
            usd_item = {"pricing_method": PricingMethod.MARKUP_STANDARD_COST, "percentage": D("60")}
        catalog.price_list_item_save(
            item=PriceListItem(),
            by=self.max,
            price_list=retail,
            product=product,
            unit=unit,
            discount_list=amount_list or volume,
            **usd_item,
        )
        eur_item = (
            {
                "pricing_method": PricingMethod.PERCENT_OF_LIST,
                "percentage": D("92"),
                "rounding_policy": RoundingPolicy.DOWN,
                "rounding_option": RoundingOption.ENDS_IN,
                "rounding_amount": D("0.99"),
            }
            if n % 2
            else {
                "pricing_method": PricingMethod.MARGIN_CURRENT_COST,
                "percentage": D("35"),
                "rounding_policy": RoundingPolicy.UP,
                "rounding_option": RoundingOption.MULTIPLE_OF,
                "rounding_amount": D("0.05"),
            }
        )
        catalog.price_list_item_save(
            item=PriceListItem(),
            by=self.max,
            price_list=europe,
            product=product,
            unit=unit,
            discount_list=volume,
            **eur_item,
        )

    # --- customers ------------------------------------------------------------------------------
    def customers(self, cat: Catalog) -> list[Account]:
        rng = self.rng
        rows = [(name, city, state, zip_, "US", cat.retail) for name, city, state, zip_ in ACCOUNTS_US]
        rows += [
            (name, city, state, zip_, country, cat.europe) for name, city, state, zip_, country in ACCOUNTS_EU
        ]
        accounts = []
        for n, (name, city, state, zip_, country, price_list) in enumerate(rows, start=1):
            slug = ascii_slug(name)[:18]
            owner = self.sally if n % 3 else self.max
            street = f"{rng.randint(1, 2400)} {rng.choice(STREETS)}"
            address = {
                "address1_line1": street,
                "address1_city": city,
                "address1_stateorprovince": state,
                "address1_postalcode": zip_,
                "address1_country": country,
            }
            if n % 4 == 0:  # some ship somewhere else
                address |= {
                    "address2_line1": f"Dock {rng.randint(1, 12)}, {rng.choice(STREETS)}",
                    "address2_city": city,
                    "address2_stateorprovince": state,
                    "address2_postalcode": zip_,
                    "address2_country": country,
                }
            account = customers.account_save(
                account=Account(),
                by=owner,
                name=name,
                account_number=f"ACC-{1000 + n}",
                email=f"accounts@{slug}.example",
                phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                if country == "US"
                else f"+{rng.randint(30, 49)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                website=f"https://www.{slug}.example",
                tax_id=f"{country}{rng.randint(10**8, 10**9 - 1)}",
                default_price_list=price_list,
                **address,
            )
            contacts = []
            for _ in range(1 + (n % 2)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                contacts.append(
                    customers.contact_save(
                        contact=Contact(),
                        by=owner,
                        first_name=first,
                        last_name=last,
                        account=account,
                        email=f"{ascii_slug(first)}.{ascii_slug(last)}@{slug}.example",
                        phone=account.phone,
                        job_title=rng.choice(TITLES),
                        **{k: v for k, v in address.items() if k.startswith("address1_")},
                    )
                )
            customers.account_save(account=account, by=owner, primary_contact=contacts[0])
            accounts.append(account)
        return accounts

    # --- documents ------------------------------------------------------------------------------
    def opportunity(
        self, account: Account, cat: Catalog, by: User, *, lines: int | None = None
    ) -> Opportunity:
        rng = self.rng
        opp = services.document_create(
            Opportunity,
            by=by,
            customer=account,
            contact=account.primary_contact,
            name=f"{short_name(account.name)} {rng.choice(TOPICS)}",
            estimated_close_date=self.today + datetime.timedelta(days=rng.randint(5, 90)),
            description="Demo opportunity.",
        )
        tax_rate = D("8.25") if account.default_price_list_id == cat.retail.pk else D("19")
        for product in rng.sample(cat.active, lines or rng.randint(1, 4)):
            decimals = product.quantity_decimals
            if decimals:
                quantity = D(rng.choice(["4", "7.5", "12", "16", "24.5"]))
            else:
                quantity = D(rng.choice(["1", "2", "3", "5", "10", "12", "25", "60", "120"]))
            line = services.line_add(
                document=opp, by=by, product=product, quantity=quantity, vat_category="S", tax_rate=tax_rate
            )
            if rng.random() < 0.3 and line.amount >= 100:  # a negotiated discount on some lines
                services.line_update(line=line, by=by, manual_discount=money(line.amount * D("0.05")))
        if rng.random() < 0.4:
            name, price = rng.choice(WRITE_INS)
            services.line_add(
                document=opp,
                by=by,
                write_in_name=name,
                quantity=D("1"),
                price_per_unit=D(price),
                vat_category="S",
                tax_rate=tax_rate,
            )
        opp.refresh_from_db()
        return opp

    def past(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def documents(self, cat: Catalog, accounts: list[Account]) -> None:
        scenarios = [
            self.open_opportunity,
            self.lost_opportunity,
            self.draft_quote,
            self.active_quote,
            self.revised_quote,
            self.closed_quote,
            self.active_order,
            self.fulfilled_order,
            self.canceled_order,
            self.invoice_new,
            self.invoice_paid,
            self.invoice_partial,
            self.invoice_canceled,
            self.invoice_overdue,
            self.invoice_from_scratch,
            self.unlocked_order,
            self.quote_to_invoice,
        ]
        for n, account in enumerate(accounts):
            by = self.max if n % 5 == 4 else self.sally
            scenarios[n % len(scenarios)](account, cat, by, n)
            if n % 3 == 0:  # a second, still open deal for a third of the customers
                self.open_opportunity(account, cat, by, n + 1)
        self.money_stories(cat, accounts)

    def money_stories(self, cat: Catalog, accounts: list[Account]) -> None:
        """SPEC §10 on show: instalments, an overdue balance, a credit note, a euro invoice."""
        us = [a for a in accounts if a.default_price_list_id == cat.retail.pk]
        eu = [a for a in accounts if a.default_price_list_id == cat.europe.pk]
        # two instalments so far: Paid · Partial with a balance still due
        invoice = self.invoice(us[1], cat, self.sally, issued=self.past(40, 45))
        services.invoice_mark_paid(
            invoice=invoice,
            by=self.max,
            status=InvoiceStatus.PARTIAL,
            paid_on=self.past(20, 25),
            amount=money(invoice.total_amount * D("0.3")),
            method=PaymentMethod.BANK_TRANSFER,
            reference="Woodgrove transfer 4471",
        )
        invoice.refresh_from_db()
        services.payment_record(
            invoice=invoice,
            by=self.max,
            amount=money(invoice.total_amount * D("0.3")),
            paid_on=self.past(3, 8),
            method=PaymentMethod.CHECK,
            reference="Check 10293",
        )
        # overdue: due a month ago, a first instalment paid, the rest still owed
        late = self.invoice(us[2], cat, self.sally, issued=self.past(60, 65))
        services.invoice_mark_paid(
            invoice=late,
            by=self.max,
            status=InvoiceStatus.PARTIAL,
            paid_on=self.past(40, 45),
            amount=money(late.total_amount / 4),
            method=PaymentMethod.CARD,
        )
        # a credit note: one item of the first line came back
        credited = self.invoice(us[3], cat, self.sally, issued=self.past(10, 15))
        line = credited.lines.order_by("sequence").first()
        services.credit_note_create(
            invoice=credited,
            by=self.max,
            lines=[{"invoice_detail": line.pk, "quantity": min(line.quantity, D("1"))}],
            reason="One item returned damaged.",
            credit_date=self.past(1, 5),
        )
        # in euros, at the EUR rate: issued, then half paid
        euro = self.invoice(eu[0], cat, self.max, issued=self.past(15, 20))
        services.invoice_mark_paid(
            invoice=euro,
            by=self.max,
            status=InvoiceStatus.PARTIAL,
            paid_on=self.past(1, 10),
            amount=money(euro.total_amount / 2),
            method=PaymentMethod.DIRECT_DEBIT,
            reference="SEPA 2026-118",
        )

    def open_opportunity(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        self.opportunity(account, cat, by)

    def lost_opportunity(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        opp = self.opportunity(account, cat, by)
        status = OpportunityStatus.OUT_SOLD if n % 2 else OpportunityStatus.CANCELED
        services.opportunity_lose(
            opportunity=opp,
            by=by,
            status=status,
            close_date=self.past(3, 40),
            competitor="Fabrikam Office Supply" if status == OpportunityStatus.OUT_SOLD else "",
            description="Budget moved to next year."
            if status == OpportunityStatus.CANCELED
            else "Lost on price.",
        )

    def quote(self, account: Account, cat: Catalog, by: User, *, activate: bool = True):
        opp = self.opportunity(account, cat, by)
        quote = services.opportunity_generate_quote(opportunity=opp, by=by)
        changes: dict[str, Any] = {
            "payment_terms": PaymentTerms.NET_30,
            "shipping_method": ShippingMethod.UPS,
            "effective_from": self.today,
            "effective_to": self.today + datetime.timedelta(days=30),
        }
        if self.rng.random() < 0.4:
            changes |= {"discount_percentage": D("5"), "freight_amount": D("35.00")}
        quote = services.document_update(quote, by=by, **changes)
        if activate:
            quote = services.quote_activate(quote=quote, by=by)
        return quote

    def draft_quote(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        self.quote(account, cat, by, activate=False)

    def active_quote(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        self.quote(account, cat, by)

    def revised_quote(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        draft = services.quote_revise(quote=self.quote(account, cat, by), by=by)
        services.document_update(
            draft, by=by, discount_percentage=D("7.5"), description="Revised: better discount."
        )

    def closed_quote(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        services.quote_close(
            quote=self.quote(account, cat, by),
            by=by,
            status=QuoteStatus.LOST if n % 2 else QuoteStatus.CANCELED,
            close_opportunity=True,
            description="Customer chose another supplier.",
        )

    def order(self, account: Account, cat: Catalog, by: User) -> SalesOrder:
        return services.quote_create_order(quote=self.quote(account, cat, by), by=by, close_opportunity=True)

    def active_order(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        order = self.order(account, cat, by)
        services.document_update(order, by=by, requested_delivery_by=self.today + datetime.timedelta(days=14))

    def fulfilled_order(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        services.order_fulfill(
            order=self.order(account, cat, by),
            by=by,
            date_fulfilled=self.past(1, 20),
            status=OrderStatus.PARTIAL if n % 2 else OrderStatus.COMPLETE,
        )

    def canceled_order(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        services.order_cancel(
            order=self.order(account, cat, by),
            by=self.max,
            canceled_on=self.past(1, 20),
            reason="Customer postponed the project.",
        )

    def unlocked_order(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        opp = self.opportunity(account, cat, by)
        services.opportunity_generate_order(opportunity=opp, by=by)  # from an opportunity: unlocked

    def invoice(
        self, account: Account, cat: Catalog, by: User, *, issued: datetime.date | None = None
    ) -> Invoice:
        invoice = services.order_create_invoice(order=self.order(account, cat, by), by=by)
        issued = issued or self.past(0, 20)
        return services.document_update(
            invoice,
            by=by,
            invoice_date=issued,
            payment_terms=PaymentTerms.NET_30,
            due_date=issued + datetime.timedelta(days=30),
        )

    def invoice_new(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        invoice = self.invoice(account, cat, by)
        if n % 2:
            services.invoice_set_status(invoice=invoice, by=by, status=InvoiceStatus.BILLED)

    def invoice_paid(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        invoice = self.invoice(account, cat, by, issued=self.past(20, 45))
        services.invoice_mark_paid(
            invoice=invoice, by=self.max, status=InvoiceStatus.COMPLETE, paid_on=self.past(1, 15)
        )

    def invoice_partial(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        invoice = self.invoice(account, cat, by, issued=self.past(20, 45))
        services.invoice_mark_paid(
            invoice=invoice,
            by=self.max,
            status=InvoiceStatus.PARTIAL,
            paid_on=self.past(1, 15),
            amount=money(invoice.total_amount / 2),
        )

    def invoice_canceled(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        services.invoice_cancel(invoice=self.invoice(account, cat, by), by=self.max)

    def invoice_overdue(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        opp = self.opportunity(account, cat, by)
        services.opportunity_win(opportunity=opp, by=by, close_date=self.past(50, 70))
        invoice = services.opportunity_generate_invoice(opportunity=opp, by=by)
        issued = self.past(45, 75)
        invoice = services.document_update(
            invoice,
            by=by,
            invoice_date=issued,
            payment_terms=PaymentTerms.NET_30,
            due_date=issued + datetime.timedelta(days=30),
        )
        services.invoice_set_status(
            invoice=invoice, by=by, status=InvoiceStatus.BOOKED if n % 2 else InvoiceStatus.BILLED
        )

    def invoice_from_scratch(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        """Invoices → New → customer → Save → add products (SPEC §1)."""
        invoice = services.document_create(
            Invoice,
            by=by,
            customer=account,
            contact=account.primary_contact,
            name=f"{short_name(account.name)} service call",
            payment_terms=PaymentTerms.NET_45,
        )
        rate = D("8.25") if account.default_price_list_id == cat.retail.pk else D("19")
        services.line_add(
            document=invoice,
            by=by,
            product=cat.active[20],
            quantity=D("3.5"),
            vat_category="S",
            tax_rate=rate,
        )
        services.line_add(
            document=invoice,
            by=by,
            write_in_name="Call-out fee",
            quantity=D("1"),
            price_per_unit=D("75.00"),
            vat_category="S",
            tax_rate=rate,
        )
        services.invoice_set_status(
            invoice=invoice,
            by=by,
            status=InvoiceStatus.INSTALLED if n % 2 else InvoiceStatus.PARTIALLY_SHIPPED,
        )

    def quote_to_invoice(self, account: Account, cat: Catalog, by: User, n: int) -> None:
        services.quote_create_invoice(quote=self.quote(account, cat, by), by=by, close_opportunity=True)
