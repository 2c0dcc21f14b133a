"""Notes on a record's timeline (Dynamics 365's annotations: a title and a text).

Who may add one: whoever may edit the record — the role of its lifecycle's "edit" row, checked by
`roles.has_role` as for every action. Who may delete one: its author (the note's owner) or a sales
manager — `roles.may_manage`, the rule that deletes any record. A note is shown, escaped, among
the timeline's events (`selectors.timeline`); it changes nothing on the record itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from salesapp.accounts.roles import has_role
from salesapp.core import formatting as fmt
from salesapp.core.exceptions import PermissionDeniedError, StateError, ValidationFailed
from salesapp.sales.models import NOTE_TEXT_MAX, Note, PricedDocument

from .ownership import require_may_manage

NOTE_TITLE_MAX = Note._meta.get_field("title").max_length or 200


def require_may_add_note(user: Any, document: PricedDocument) -> None:
    """Refuse (403) unless `user` may edit `document` by its lifecycle's role column."""
    if not may_add_note(user, document):
        raise PermissionDeniedError(f"You may not add a note to this {document.lifecycle.noun}.")


def may_add_note(user: Any, document: PricedDocument) -> bool:
    return has_role(user, document.lifecycle.role("edit"), document)


def _check_length(value: str, limit: int, field: str, label: str) -> None:
    if len(value) > limit:
        raise ValidationFailed(
            f"{label} can be at most {fmt.quantity(Decimal(limit))} characters long "
            f"(this one has {fmt.quantity(Decimal(len(value)))}).",
            field=field,
        )


@transaction.atomic
def note_add(*, document: PricedDocument, by: Any, text: str, title: str = "") -> Note:
    """Add a note (title optional, text required) to `document`'s timeline."""
    require_may_add_note(by, document)
    title, text = (title or "").strip(), (text or "").strip()
    if not text:
        raise ValidationFailed("Enter the note's text.", field="text")
    _check_length(title, NOTE_TITLE_MAX, "title", "The title")
    _check_length(text, NOTE_TEXT_MAX, "text", "The note's text")
    # The row lock keeps the note from outliving a record deleted at the same moment.
    model = type(document)
    if not model._default_manager.select_for_update().filter(pk=document.pk).exists():
        raise StateError(f"This {document.lifecycle.noun} was deleted.")
    return Note.objects.create(
        document_type=document.kind, document_id=document.pk, owner=by, title=title, text=text
    )


@transaction.atomic
def note_delete(*, note: Note, by: Any) -> None:
    """Delete a note: its author or a sales manager may."""
    require_may_manage(by, note, "delete")
    Note.objects.filter(pk=note.pk).delete()
