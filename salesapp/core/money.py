"""Money helpers. All money is Decimal, rounded half-up (SPEC §3)."""

from decimal import Decimal, InvalidOperation

from salesapp.sales.pricing import round_half_up

ZERO = Decimal("0")

__all__ = ["ZERO", "round_half_up", "to_decimal"]


def to_decimal(value: object) -> Decimal:
    """Build a Decimal from a str/int/Decimal, never from a float's binary value."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("booleans are not amounts")
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise TypeError(f"not a number: {value!r}") from exc
