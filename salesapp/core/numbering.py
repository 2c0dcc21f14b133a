"""Gapless human numbers (SPEC §7).

The counter row is incremented *first* (an UPDATE takes the row lock on PostgreSQL and the write
lock on SQLite), then read, inside the caller's transaction: if the document insert rolls back,
the increment rolls back with it, so no number is ever skipped or given twice.
"""

from django.db import transaction
from django.db.models import F

from .models import NumberSequence


def next_number(sequence: str, prefix: str, width: int = 5) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that saves the document")
    updated = NumberSequence.objects.filter(name=sequence).update(last_value=F("last_value") + 1)
    if not updated:
        NumberSequence.objects.get_or_create(name=sequence)
        NumberSequence.objects.filter(name=sequence).update(last_value=F("last_value") + 1)
    value = NumberSequence.objects.values_list("last_value", flat=True).get(name=sequence)
    return f"{prefix}{value:0{width}d}"
