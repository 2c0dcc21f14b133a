"""The base currency exists from the first `migrate` (SPEC §2): BASE_CURRENCY, default USD.

Microsoft's sample programs create a price list with only a name and rely on the organization's
base currency; so does a fresh install here.
"""

from babel.core import UnknownLocaleError
from babel.numbers import get_currency_name, get_currency_precision, get_currency_symbol
from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    Currency = apps.get_model("catalog", "Currency")
    OrganizationSettings = apps.get_model("core", "OrganizationSettings")
    org, _ = OrganizationSettings.objects.get_or_create(pk=1)
    if org.default_currency_id is not None:
        return
    code = settings.BASE_CURRENCY
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(f"BASE_CURRENCY must be an ISO 4217 code like USD, not {code!r}")
    try:
        name = get_currency_name(code, locale="en_US")
        symbol = get_currency_symbol(code, locale="en_US")
    except UnknownLocaleError:  # pragma: no cover - en_US ships with Babel
        name, symbol = code, code
    currency, _ = Currency.objects.get_or_create(
        code=code,
        defaults={"name": name[:100], "symbol": symbol[:8], "precision": min(get_currency_precision(code), 4)},
    )
    org.default_currency = currency
    org.save(update_fields=["default_currency"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_sequences_and_roles"), ("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
