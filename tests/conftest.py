"""Shared fixtures. Complex states are built through the services, never by writing rows directly."""

from decimal import Decimal

import pytest

from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import Opportunity
from tests import factories

# `make test` runs the suite on two pytest-xdist workers (-n 2 --dist loadgroup). Tests are safe side by
# side: each xdist worker has its own test database (pytest-django adds _gw0, _gw1), SMTP servers and
# live_server take free ports, the Celery worker tests each use a Redis queue and log files of their
# own. What isn't is the machine: two Chromiums, or two sets of Celery worker processes, at once starve
# its two cores and time out. Tests with these markers run one after the other on one xdist worker.
XDIST_GROUPS = {"browser": "chromium", "integration": "celery-workers"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, group in XDIST_GROUPS.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config):
    from django.conf import settings

    # Hashing test passwords with PBKDF2 costs ~0.3 s a user: tests don't need it to be slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_liveness_connection_left():
    """A delivery attempt made in the test's thread keeps its liveness connection (PostgreSQL) for the
    next one, as a worker does; close it, or the test database can't be dropped at the end."""
    yield
    from salesapp.documents import liveness

    liveness.close()


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Failed API token checks are counted in the cache, which (in memory) outlives a test: forget them,
    so that one test's bad tokens never block the next. (Failed sign-ins live in the database, rolled
    back with each test.)"""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def usd(db):
    currency = factories.CurrencyFactory()
    org = OrganizationSettings.load()
    org.default_currency = currency
    org.seller_name = "Contoso Ltd"
    org.save()
    return currency


@pytest.fixture
def rep(db):
    return factories.salesperson()


@pytest.fixture
def boss(db):
    return factories.manager()


@pytest.fixture
def price_list(usd):
    return factories.PriceListFactory(currency=usd)


@pytest.fixture
def product(price_list):
    """An active product priced at 100.00 on the price list."""
    item = factories.PriceListItemFactory(price_list=price_list, amount=Decimal("100.00"))
    return item.product


@pytest.fixture
def account(price_list):
    return factories.AccountFactory(default_price_list=price_list)


@pytest.fixture
def opportunity(account, product, rep) -> Opportunity:
    """An open opportunity with a catalog line (2 × 100.00) and a write-in line (1 × 50.00, tax 5.00)."""
    opp = services.document_create(Opportunity, by=rep, customer=account, name="Big deal")
    services.line_add(document=opp, by=rep, product=product, quantity=Decimal("2"))
    services.line_add(
        document=opp,
        by=rep,
        write_in_name="Installation",
        quantity=Decimal("1"),
        price_per_unit=Decimal("50.00"),
        tax=Decimal("5.00"),
    )
    opp.refresh_from_db()
    return opp
