"""Money, quantities and dates as people read them: the one formatter behind the lists, the products
grid, the record page, the dashboard, the PDF and the timeline (SPEC §3, §8).

Pure functions: callers pass what they know (the currency's precision and symbol, the locale —
``None`` means the organization's, :func:`default_locale`); nothing here queries the database.

* Money is rounded **half-up** to the precision the caller passes, by ``pricing.round_half_up`` (the
  one rounding rule), *before* Babel sees it: Babel would round half-even to the currency's ISO digits.
* Separators, grouping, the symbol's place and the date patterns are CLDR's, read from Babel once per
  locale and cached. A table cell must cost about a microsecond, and Babel's ``NumberPattern.apply``
  costs ~7 µs, so for locales that group by three (nearly all) the digits come from Python's own
  ``format(value, ",.Nf")`` with the separators swapped in; other groupings (en_IN's 12,34,567) go
  through Babel. ``tests/core/test_formatting.py`` proves both paths print what Babel prints.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, get_decimal_symbol, get_group_symbol
from django.conf import settings
from django.utils import timezone
from django.utils.translation import to_locale

from salesapp.pricing import round_half_up

DATE_FORMAT = "medium"  # en_US "Jan 5, 2026", de_DE "05.01.2026": never ambiguous about day and month
TIME_FORMAT = "short"  # en_US "3:04 PM", de_DE "15:04"
SYMBOL = "¤"


# The locale set by `using_locale` for the code running inside it (a PDF of the organization's locale).
_current_locale: ContextVar[str | None] = ContextVar("salesapp_locale", default=None)


def default_locale() -> str:
    """The locale a formatter uses when its caller passes none: the one `using_locale` set around the
    current code, else ``settings.LANGUAGE_CODE`` ("en-us" → "en_US")."""
    return _current_locale.get() or _locale_name(settings.LANGUAGE_CODE)


@contextmanager
def using_locale(locale: str | None) -> Iterator[str]:
    """Format in `locale` (e.g. the organization's, for a document) inside the block:
    ``with using_locale(org.locale): ...``. An unknown or empty locale keeps the default."""
    name = (valid_locale(locale) if locale else None) or default_locale()
    token = _current_locale.set(name)
    try:
        yield name
    finally:
        _current_locale.reset(token)


@lru_cache(maxsize=64)
def valid_locale(value: str) -> str | None:
    """ "de-de", "de_DE" → "de_DE"; None for anything Babel has no data for."""
    try:
        return str(Locale.parse(to_locale(value.strip().replace("_", "-"))))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


@lru_cache(maxsize=16)
def _locale_name(language_code: str) -> str:
    return str(Locale.parse(to_locale(language_code)))


@dataclass(frozen=True, slots=True)
class _Style:
    """One locale's number style at one number of decimals."""

    locale: Locale
    number: NumberPattern  # the locale's decimal pattern with exactly `places` decimals
    money: NumberPattern  # its standard currency pattern, likewise
    spec: str  # Python's format spec for these decimals, ",.2f"; "" → the grouping isn't by three: Babel
    group: str
    decimal: str
    number_affixes: tuple[tuple[str, str], tuple[str, str]]  # (prefix, suffix) positive, negative
    money_affixes: tuple[tuple[str, str], tuple[str, str]]  # the same with "¤" where the symbol goes


def _unquote(text: str) -> str:
    """Babel's own last step: 'literal' → literal, '' → '."""
    return re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", text)


def _with_places(pattern: NumberPattern, places: int) -> NumberPattern:
    forced = copy.copy(pattern)
    forced.frac_prec = (places, places)
    return forced


@lru_cache(maxsize=64)
def _style(locale: str, places: int) -> _Style:
    loc = Locale.parse(locale)
    number = _with_places(loc.decimal_formats[None], places)
    money = _with_places(loc.currency_formats["standard"], places)
    by_three = all(p.grouping == (3, 3) and p.int_prec[0] == 1 for p in (number, money))

    def affixes(p: NumberPattern) -> tuple[tuple[str, str], tuple[str, str]]:
        return (_unquote(p.prefix[0]), _unquote(p.suffix[0])), (_unquote(p.prefix[1]), _unquote(p.suffix[1]))

    spec = f",.{places}f" if by_three else ""
    group, decimal = get_group_symbol(loc), get_decimal_symbol(loc)
    return _Style(loc, number, money, spec, group, decimal, affixes(number), affixes(money))


def _digits(style: _Style, value: Decimal) -> str:
    """|value| (already at the style's decimals) grouped by three, with the locale's separators."""
    text = format(value.copy_abs(), style.spec)
    if style.group == "," and style.decimal == ".":
        return text
    return text.replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)


def _render(value: Decimal, places: int, locale: str, symbol: str | None) -> str:
    """`value` already has exactly `places` decimals (rounded or exact)."""
    style = _style(locale, places)
    if not style.spec:
        pattern = style.number if symbol is None else style.money
        text = pattern.apply(value, style.locale, decimal_quantization=True)
        return text if symbol is None else text.replace(SYMBOL, symbol)
    if symbol is None:
        prefix, suffix = style.number_affixes[value.is_signed()]
        return f"{prefix}{_digits(style, value)}{suffix}"
    prefix, suffix = style.money_affixes[value.is_signed()]
    return f"{prefix.replace(SYMBOL, symbol)}{_digits(style, value)}{suffix.replace(SYMBOL, symbol)}"


def amount(value: Decimal | None, places: int, *, locale: str | None = None) -> str:
    """An amount without its currency (lists, the grid, the totals block): 1234.565 at 2 places →
    "1,234.57" (en_US), "1.234,57" (de_DE); at 3 places "1,234.565". None → ""."""
    if value is None:
        return ""
    return _render(round_half_up(value, places), places, locale or default_locale(), None)


def money(value: Decimal | None, places: int, *, symbol: str, locale: str | None = None) -> str:
    """An amount with the currency's symbol where the locale puts it: "$1,234.57", "-$5.00",
    "1.234,57 €". None → ""."""
    if value is None:
        return ""
    return _render(round_half_up(value, places), places, locale or default_locale(), symbol)


def quantity(value: Decimal | None, *, locale: str | None = None) -> str:
    """A quantity exactly as stored, without trailing zeros: 10.00000 → "10", 2.50000 → "2.5",
    1000 → "1,000" (de_DE "2,5", "1.000"). Never rounded. None → ""."""
    if value is None:
        return ""
    exact = value.normalize()
    if exact.is_zero():
        exact = Decimal(0)
    places = max(0, -exact.as_tuple().exponent)  # type: ignore[operator]  # finite: an int
    return _render(exact.quantize(Decimal(1).scaleb(-places)), places, locale or default_locale(), None)


def day(value: datetime.date | datetime.datetime | None, *, locale: str | None = None) -> str:
    """A date in the locale's medium format ("Jan 5, 2026", "05.01.2026"). An aware datetime is
    first turned into a date in the current time zone. None → ""."""
    date = local_date(value)
    return "" if date is None else _day(date, locale or default_locale())


@lru_cache(maxsize=4096)  # a list shows the same few dates again and again
def _day(value: datetime.date, locale: str) -> str:
    return format_date(value, DATE_FORMAT, locale=locale)


def month(value: datetime.date, *, locale: str | None = None) -> str:
    """A calendar month as a chart's axis shows it: "May 2026" (en_US), "Mai 2026" (de_DE)."""
    return format_date(value, "MMM y", locale=locale or default_locale())


def moment(value: datetime.datetime | None, *, locale: str | None = None) -> str:
    """A date and time, in the current time zone: "Jan 5, 2026 3:04 PM", "05.01.2026 15:04"."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = locale or default_locale()
    return f"{_day(value.date(), locale)} {format_time(value.time(), TIME_FORMAT, locale=locale)}"


# --- for spreadsheets (Export to Excel / CSV): typed values, not text --------------------------------


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    """An amount as a number for a spreadsheet: half-up to the currency's precision, as shown."""
    return None if value is None else round_half_up(value, places)


def local_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    """A date for a spreadsheet: an aware datetime becomes its date in the current time zone."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def spreadsheet_format(places: int) -> str:
    """Excel's number format for an amount at `places` decimals: 2 → "#,##0.00" (Excel applies the
    reader's own separators)."""
    return "#,##0" + (f".{'0' * places}" if places > 0 else "")


def plain(value: Decimal) -> str:
    """An amount for a CSV file: digits and a point, no grouping, never an exponent ("1234.50")."""
    return format(value, "f")
