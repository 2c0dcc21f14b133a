"""The record page's timeline, rendered when it is read (`salesapp.sales.timeline` says what an event
says). Sent emails, payments, credit notes and conversions are events their services record in their
own transaction, shown as activities (an icon, a badge with the kind's label, a link to the other
record); notes come from their own table. Both are merged newest first, in two queries whatever their
number. An event written before its details had today's shape shows its stored summary.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from django.urls import NoReverseMatch, reverse

from salesapp.accounts.roles import may_manage
from salesapp.sales import selectors
from salesapp.sales.models import (
    LINE_MODELS,
    CreditNote,
    Labelled,
    Note,
    PricedDocument,
    TimelineEvent,
    TimelineKind,
)
from salesapp.sales.timeline import SENTENCES, display_value, money_of

from .kinds import KIND_OF_TYPE

NOTE = "note"

# The glyph of each kind of entry (aria-hidden; the kind's label says it in words).
ICONS: dict[str, str] = {
    TimelineKind.CREATED: "✚",
    TimelineKind.UPDATED: "✎",
    TimelineKind.CONVERTED_FROM: "⇐",
    TimelineKind.CONVERTED_TO: "⇒",
    TimelineKind.PRODUCTS_ADDED: "✚",
    TimelineKind.STATE_CHANGED: "◆",
    TimelineKind.PRICE_LOCKED: "⊠",
    TimelineKind.PRICE_UNLOCKED: "⊡",
    TimelineKind.REPRICED: "↻",
    TimelineKind.EMAIL_QUEUED: "✉",
    TimelineKind.EMAILED: "✉",
    TimelineKind.EMAIL_FAILED: "✉",
    TimelineKind.PAID: "✓",
    TimelineKind.PAYMENT: "¤",
    TimelineKind.CREDITED: "↺",
    TimelineKind.REMINDER_QUEUED: "✉",
    TimelineKind.CANCELED: "✕",
    NOTE: "✍",
}
# Activities (emails, money, conversions) carry a coloured badge with their kind's label.
BADGES: dict[str, str] = {
    TimelineKind.EMAIL_QUEUED: "secondary",
    TimelineKind.EMAILED: "success",
    TimelineKind.EMAIL_FAILED: "danger",
    TimelineKind.REMINDER_QUEUED: "secondary",
    TimelineKind.PAYMENT: "success",
    TimelineKind.PAID: "success",
    TimelineKind.CREDITED: "warning",
    TimelineKind.CONVERTED_FROM: "info",
    TimelineKind.CONVERTED_TO: "info",
    NOTE: "light",
}
LINKS = {  # an event's details that name another record: (type key, id key)
    TimelineKind.CONVERTED_FROM: ("source_type", "source_id"),
    TimelineKind.CONVERTED_TO: ("target_type", "target_id"),
    TimelineKind.CREDITED: ("", "credit_note_id"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: datetime.datetime
    who: str
    kind: str
    label: str
    text: str
    changes: list[Change] = field(default_factory=list)
    link: str = ""
    link_noun: str = ""  # "quote": "Open the quote"
    note: Note | None = None
    may_delete: bool = False

    @property
    def icon(self) -> str:
        return ICONS.get(self.kind, "•")

    @property
    def badge(self) -> str:
        return BADGES.get(self.kind, "")


def entries(document: PricedDocument, user: Any) -> list[Entry]:
    """The record's events and notes, newest first, as the reader reads them."""
    events = [describe(document, e) for e in selectors.timeline(document)]
    notes = [note_entry(n, user) for n in selectors.notes(document)]
    return sorted([*events, *notes], key=lambda e: e.at, reverse=True)[: selectors.TIMELINE_ROWS]


def note_entry(note: Note, user: Any) -> Entry:
    return Entry(
        at=note.at,
        who=_who(note.owner),
        kind=NOTE,
        label="Note",
        text=note.text,
        note=note,
        may_delete=may_manage(user, note),
    )


def describe(document: PricedDocument, event: TimelineEvent) -> Entry:
    details = event.details or {}
    entry = Entry(
        at=event.at,
        who=_who(event.actor),
        kind=event.kind,
        label=event.get_kind_display(),
        text=event.summary,
    )
    entry.link, entry.link_noun = _link(event.kind, details)
    # An event written before its details had today's shape keeps its stored summary.
    with contextlib.suppress(KeyError, TypeError, ValueError, InvalidOperation):
        _render(document, event.kind, details, entry)
    return entry


def _render(document: PricedDocument, kind: str, details: dict[str, Any], entry: Entry) -> None:
    if kind == TimelineKind.UPDATED and "changes" in details:
        model: type[Labelled] = LINE_MODELS[type(document)] if "line" in details else type(document)
        entry.changes = [
            Change(
                model.field_label(c["field"]),
                display_value(document, c["field"], c["before"], model),
                display_value(document, c["field"], c["after"], model),
            )
            for c in details["changes"]
        ]
        entry.text = f"Changed {details['line']}" if "line" in details else "Updated"
    elif kind in SENTENCES:
        entry.text = SENTENCES[kind](money_of(document), **details)


def _who(user: Any) -> str:
    return user.username if user is not None else "system"


def _link(kind: str, details: dict[str, Any]) -> tuple[str, str]:
    """The other record an activity names (the order it became, the credit note), if it has one."""
    if kind not in LINKS:
        return "", ""
    type_key, id_key = LINKS[kind]
    target = KIND_OF_TYPE.get(details.get(type_key) or CreditNote.kind)
    pk = details.get(id_key)
    if target is None or not pk:
        return "", ""
    try:
        return reverse(target.url_name("detail"), args=[pk]), target.noun
    except NoReverseMatch:
        return "", ""
