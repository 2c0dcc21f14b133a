"""Delete and Assign (SPEC §4 "Delete", "Owner and Assign"; §9: "delete and assign only their own records").

Who may: the record's owner or a sales manager — `salesapp.accounts.roles.may_manage`, the one check
the screens and the Web API ask too. What may be deleted: the lifecycle tables' "delete" rows
(Open opportunities, Draft quotes, Active orders), never an invoice (it is canceled), and never a
record that other records still point at (a quote made from the opportunity, an invoice of the
order): the refusal names them, nothing is deleted, and the database never has to say no.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import ForeignObjectRel

from salesapp.accounts.roles import is_salesperson, may_manage
from salesapp.core.exceptions import DomainError, PermissionDeniedError, StateError, ValidationFailed
from salesapp.customers.models import Account, Contact
from salesapp.sales import figures
from salesapp.sales.models import Invoice, Note, PricedDocument, SalesOrder, TimelineEvent, TimelineKind

from .common import lock, record, require, touch

MAX_NAMED = 3  # blockers named in a refusal; "and N more" after that
INSTEAD = {
    "opportunity": "Close it as lost instead.",
    "quote": "Close or revise it instead.",
    "order": "Cancel it instead.",
}


def require_may_manage(user: Any, record: Any, what: str) -> None:
    """Refuse (403) unless `user` owns `record` or is a sales manager."""
    if not may_manage(user, record):
        noun = getattr(getattr(record, "lifecycle", None), "noun", None) or record._meta.verbose_name
        raise PermissionDeniedError(
            f"Only the {noun}'s owner or a sales manager may {what} it.", field="owner"
        )


def _label(obj: Any) -> str:
    noun = getattr(getattr(obj, "lifecycle", None), "noun", None) or str(obj._meta.verbose_name)
    name = getattr(obj, "display_name", None) or str(obj)
    return f"{noun} {name}"


def blockers(record: models.Model) -> list[Any]:
    """The rows whose protected foreign keys point at `record` (quotes of an opportunity, invoices of an
    order, the next revision of a quote…): deleting it would fail in the database."""
    found: list[Any] = []
    for rel in type(record)._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or not (rel.one_to_many or rel.one_to_one):
            continue
        if rel.on_delete is not models.PROTECT and rel.on_delete is not models.RESTRICT:
            continue
        model = rel.related_model
        rows = model._default_manager.filter(**{rel.field.name: record})
        found += list(rows.order_by("pk")[: MAX_NAMED + 1])
    return found


def _refuse_blocked(document: PricedDocument, found: list[Any]) -> None:
    names = [_label(x) for x in found[:MAX_NAMED]]
    more = len(found) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    noun = document.lifecycle.noun
    raise StateError(
        f"This {noun} can't be deleted: {listed} still refer{'s' if len(found) == 1 else ''} to it. "
        + INSTEAD.get(noun, ""),
    )


@transaction.atomic
def document_delete(*, document: PricedDocument, by: Any, expected_version: int | None = None) -> None:
    """Delete a Draft quote, an Open opportunity or a never-invoiced Active order, with its lines and
    timeline. Only its owner or a sales manager may; invoices are never deleted (they are canceled).

    The documents it came from keep a trace: the opportunity (and the quote revision it replaced)
    get a timeline event naming it.
    """
    if isinstance(document, Invoice):
        raise StateError("Invoices are never deleted: cancel the invoice instead (Cancel Invoice).")
    document = lock(document, expected_version=expected_version)
    require_may_manage(by, document, "delete")
    require(document, "delete")
    if isinstance(document, SalesOrder) and document.invoices.exists():
        numbers = ", ".join(
            document.invoices.order_by("invoice_number").values_list("invoice_number", flat=True)
        )
        raise StateError(f"This order has been invoiced ({numbers}): it can't be deleted. Cancel it instead.")
    found = blockers(document)
    if found:
        _refuse_blocked(document, found)
    sources = [getattr(document, "opportunity", None), getattr(document, "revised_from", None)]
    summary = f"{document.lifecycle.noun.capitalize()} {document.display_name} deleted"
    kind, pk = document.kind, document.pk
    TimelineEvent.objects.filter(document_type=kind, document_id=pk).delete()
    Note.objects.filter(document_type=kind, document_id=pk).delete()
    type(document)._default_manager.filter(pk=pk).delete()  # its lines go with it (CASCADE)
    figures.deleted(document)
    for source in sources:
        if source is not None:
            record(source, TimelineKind.UPDATED, summary, by=by, deleted_type=kind, deleted_id=str(pk))


def _require_assignee(owner: Any) -> None:
    if owner is None or not is_salesperson(owner):
        name = getattr(owner, "username", "")
        raise ValidationFailed(
            f"A record can only be assigned to an active user with a sales role{f'; {name} has none' if name else ''}.",
            field="owner",
        )


@transaction.atomic
def document_assign(
    *, document: PricedDocument, by: Any, owner: Any, expected_version: int | None = None
) -> PricedDocument:
    """Assign: the owner or a sales manager gives the record to another active salesperson or manager,
    in any state (a closed deal keeps an owner too). The timeline says who has it now."""
    document = lock(document, expected_version=expected_version)
    require_may_manage(by, document, "assign")
    require(document, "assign")
    _require_assignee(owner)
    if document.owner_id == owner.pk:
        return document
    previous = document.owner
    document.owner = owner
    touch(document, "owner")
    record(
        document,
        TimelineKind.UPDATED,
        f"Assigned to {owner.get_username()}",
        by=by,
        action="assign",
        owner=owner.pk,
        previous_owner=previous.pk if previous else None,
    )
    return document


@transaction.atomic
def customer_assign(*, customer: Account | Contact, by: Any, owner: Any) -> Account | Contact:
    """Assign an account or a contact: the same rule as for documents (they have no timeline)."""
    customer = type(customer).objects.select_for_update().get(pk=customer.pk)
    require_may_manage(by, customer, "assign")
    _require_assignee(owner)
    if customer.owner_id != owner.pk:
        customer.owner = owner
        customer.save(update_fields=["owner", "modified_on"])
    return customer


def record_label(record: Any) -> str:
    """How a bulk action's summary names a record: its number or name."""
    return getattr(record, "display_name", None) or str(record)


def records_assign(
    model: Any, ids: list[Any], *, by: Any, owner: Any
) -> tuple[list[Any], list[dict[str, str]]]:
    """Bulk Assign: each record through `record_assign` on its own (one refusal doesn't undo the
    others). Returns (assigned, skipped), a skip naming the record and the service's reason."""
    found = model._default_manager.select_related("owner").in_bulk(ids)
    assigned: list[Any] = []
    skipped: list[dict[str, str]] = []
    for pk in ids:
        record = found.get(pk)
        if record is None:
            skipped.append({"name": str(pk), "reason": "Not found: it may have been deleted meanwhile."})
            continue
        try:
            with transaction.atomic():
                assigned.append(record_assign(record=record, by=by, owner=owner))
        except DomainError as exc:
            skipped.append({"name": record_label(record), "reason": exc.message})
    return assigned, skipped


def record_assign(*, record: Any, by: Any, owner: Any, expected_version: int | None = None) -> Any:
    """Assign any owned record (documents, accounts, contacts): the Web API's `ownerid@odata.bind`."""
    if isinstance(record, PricedDocument):
        return document_assign(document=record, by=by, owner=owner, expected_version=expected_version)
    if isinstance(record, (Account, Contact)):
        return customer_assign(customer=record, by=by, owner=owner)
    raise ValidationFailed(f"{record._meta.verbose_name_plural.capitalize()} have no owner.", field="owner")


__all__ = [
    "blockers",
    "customer_assign",
    "document_assign",
    "document_delete",
    "record_assign",
    "require_may_manage",
]
