"""States, status reasons and the transition tables of SPEC §4 (pure: no ORM).

Values are D365's statecode / statuscode numbers, so the Web API passes them through unchanged.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models

from salesapp.core.exceptions import StateError, ValidationFailed


class OpportunityState(models.IntegerChoices):
    OPEN = 0, "Open"
    WON = 1, "Won"
    LOST = 2, "Lost"


class OpportunityStatus(models.IntegerChoices):
    IN_PROGRESS = 1, "In Progress"
    ON_HOLD = 2, "On Hold"
    WON = 3, "Won"
    CANCELED = 4, "Canceled"
    OUT_SOLD = 5, "Out-Sold"


class QuoteState(models.IntegerChoices):
    DRAFT = 0, "Draft"
    ACTIVE = 1, "Active"
    WON = 2, "Won"
    CLOSED = 3, "Closed"


class QuoteStatus(models.IntegerChoices):
    IN_PROGRESS = 1, "In Progress"
    IN_PROGRESS_ACTIVE = 2, "In Progress"
    OPEN = 3, "Open"
    WON = 4, "Won"
    LOST = 5, "Lost"
    CANCELED = 6, "Canceled"
    REVISED = 7, "Revised"


class OrderState(models.IntegerChoices):
    ACTIVE = 0, "Active"
    SUBMITTED = 1, "Submitted"
    CANCELED = 2, "Canceled"
    FULFILLED = 3, "Fulfilled"
    INVOICED = 4, "Invoiced"


class OrderStatus(models.IntegerChoices):
    NEW = 1, "New"
    PENDING = 2, "Pending"
    IN_PROGRESS = 3, "In Progress"
    NO_MONEY = 4, "No Money"
    COMPLETE = 100001, "Complete"
    PARTIAL = 100002, "Partial"
    INVOICED = 100003, "Invoiced"


class InvoiceState(models.IntegerChoices):
    ACTIVE = 0, "Active"
    PAID = 2, "Paid"
    CANCELED = 3, "Canceled"


class InvoiceStatus(models.IntegerChoices):
    NEW = 1, "New"
    PARTIALLY_SHIPPED = 2, "Partially Shipped"
    BILLED = 4, "Billed"
    BOOKED = 5, "Booked"
    INSTALLED = 6, "Installed"
    COMPLETE = 100001, "Complete"
    PARTIAL = 100002, "Partial"
    CANCELED = 100003, "Canceled"


class CreditNoteState(models.IntegerChoices):
    ISSUED = 0, "Issued"


class CreditNoteStatus(models.IntegerChoices):
    ISSUED = 1, "Issued"


class Role(StrEnum):
    """Who may run an action (SPEC §9); `salesapp.accounts.roles.has_role` checks it for a user."""

    SALESPERSON = "salesperson"
    MANAGER = "manager"
    OWNER = "owner"  # the record's owner or a sales manager: `salesapp.accounts.roles.may_manage`


@dataclass(frozen=True)
class Action:
    """One row of a lifecycle table: where an action may start, where it leads, who may run it."""

    label: str  # the Dynamics 365 button label
    sources: tuple[int, ...]  # states in which it is allowed
    target: int | None = None  # the state it leads to; None: the state doesn't change
    reasons: tuple[int, ...] = ()  # status reasons the caller may choose for the target, default first
    role: Role = Role.SALESPERSON
    message: str = ""  # the Dynamics 365 message, or how the Web API reaches it
    by_patch: bool = True  # reachable by PATCH statecode/statuscode in the Web API
    hint: str = ""  # what to do instead, added to the refusal: "Activate the quote first."
    hint_in: tuple[int, ...] = ()  # the states the hint is for (none: every refused state)


@dataclass(frozen=True)
class Lifecycle:
    """States, status reasons and actions of one record type: the one source every path reads."""

    noun: str
    states: type[models.IntegerChoices]
    statuses: type[models.IntegerChoices]
    reasons: dict[int, tuple[int, ...]]  # state -> its status reasons, default first
    actions: dict[str, Action]

    def default_status(self, state: int) -> int:
        return self.reasons[state][0]

    def state_of(self, status: int) -> int | None:
        for state, statuses in self.reasons.items():
            if status in statuses:
                return state
        return None

    def can(self, action: str, state: int) -> bool:
        return state in self.actions[action].sources

    def allowed_actions(self, state: int) -> list[str]:
        return [name for name, action in self.actions.items() if state in action.sources]

    def role(self, action: str) -> Role:
        return self.actions[action].role

    def require(self, action: str, state: int) -> None:
        if self.can(action, state):
            return
        row = self.actions[action]
        allowed = _join(self.states(s).label for s in row.sources)
        current = self.states(state).label
        hint = f" {row.hint}" if row.hint and (not row.hint_in or state in row.hint_in) else ""
        raise StateError(
            f"{row.label} isn't possible: this {self.noun} is {current}, and it must be {allowed}.{hint}"
        )

    def reason_choices(self, action: str) -> list[tuple[int, str]]:
        """The status reasons a dialog (or an API caller) may pick for the action's target state."""
        return [(s, self.status_label(s)) for s in self._reasons(action)]

    def _reasons(self, action: str) -> tuple[int, ...]:
        row = self.actions[action]
        if row.reasons:
            return row.reasons
        return self.reasons[row.target] if row.target is not None else ()

    def target_status(self, action: str, status: int | None = None) -> tuple[int, int]:
        """The (state, status reason) the action leads to; `status` None or -1 means the default."""
        row = self.actions[action]
        assert row.target is not None, f"{action} doesn't change the state"
        allowed = self._reasons(action)
        if status is None or status == -1:
            return row.target, allowed[0]
        if status not in allowed:
            names = _join(f"{self.status_label(s)} ({s})" for s in allowed)
            raise ValidationFailed(
                f"{row.label} sets the status reason to {names}, not {status}.", field="status"
            )
        return row.target, status

    def apply(self, record: Any, action: str, status: int | None = None) -> None:
        """Check that `action` is allowed in the record's state, then move it to the target state."""
        self.require(action, record.state)
        record.state, record.status = self.target_status(action, status)

    def action_to(self, state: int, status: int | None, current: int) -> str | None:
        """The PATCH-reachable action that leads from `current` to `state` (with `status`), if any."""
        for name, row in self.actions.items():
            if row.target != state or current not in row.sources or not row.by_patch:
                continue
            if status is None or status in self._reasons(name):
                return name
        return None

    def state_label(self, state: int) -> str:
        return self.states(state).label

    def status_label(self, status: int) -> str:
        return self.statuses(status).label


def _join(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


M = Role.MANAGER
OWN = Role.OWNER

OPPORTUNITY = Lifecycle(
    noun="opportunity",
    states=OpportunityState,
    statuses=OpportunityStatus,
    reasons={
        0: (OpportunityStatus.IN_PROGRESS, OpportunityStatus.ON_HOLD),
        1: (OpportunityStatus.WON,),
        2: (OpportunityStatus.CANCELED, OpportunityStatus.OUT_SOLD),
    },
    actions={
        "edit": Action("Editing", (0,)),
        "set_status": Action("Changing the status reason", (0,), target=0),
        "win": Action("Close as Won", (0,), target=1, message="WinOpportunity"),
        "lose": Action("Close as Lost", (0,), target=2, message="LoseOpportunity"),
        "reopen": Action("Reopen", (1, 2), target=0, reasons=(OpportunityStatus.IN_PROGRESS,)),
        "generate": Action(
            "Creating a quote, order or invoice from it", (0, 1), message="Generate…FromOpportunity"
        ),
        "delete": Action("Delete", (0,), role=OWN, message="DELETE", by_patch=False),
        "assign": Action("Assign", (0, 1, 2), role=OWN, message="ownerid@odata.bind", by_patch=False),
    },
)

QUOTE = Lifecycle(
    noun="quote",
    states=QuoteState,
    statuses=QuoteStatus,
    reasons={
        0: (QuoteStatus.IN_PROGRESS,),
        1: (QuoteStatus.IN_PROGRESS_ACTIVE, QuoteStatus.OPEN),
        2: (QuoteStatus.WON,),
        3: (QuoteStatus.REVISED, QuoteStatus.LOST, QuoteStatus.CANCELED),
    },
    actions={
        "edit": Action("Editing", (0,)),
        "activate": Action("Activate", (0,), target=1, message="SetState 1"),
        "revise": Action(
            "Revise", (1,), target=3, reasons=(QuoteStatus.REVISED,), message="ReviseQuote", by_patch=False
        ),
        "close": Action(
            "Close Quote",
            (1,),
            target=3,
            reasons=(QuoteStatus.CANCELED, QuoteStatus.LOST, QuoteStatus.REVISED),
            message="CloseQuote",
        ),
        "win": Action("Win Quote", (1,), target=2, message="WinQuote"),
        # A draft isn't an offer yet; a closed one (lost, canceled, revised) is no longer one.
        "email": Action(
            "Send by Email",
            (1, 2),
            message="SendQuoteByEmail",
            by_patch=False,
            hint="Activate the quote first.",
            hint_in=(0,),  # a Draft one; a closed quote can't be activated again
        ),
        "convert": Action(
            "Creating an order or invoice from it",
            (1, 2),
            target=2,
            message="ConvertQuoteToSalesOrder",
            by_patch=False,
        ),
        "delete": Action("Delete", (0,), role=OWN, message="DELETE", by_patch=False),
        "assign": Action("Assign", (0, 1, 2, 3), role=OWN, message="ownerid@odata.bind", by_patch=False),
    },
)

ORDER = Lifecycle(
    noun="order",
    states=OrderState,
    statuses=OrderStatus,
    reasons={
        0: (OrderStatus.NEW, OrderStatus.PENDING),
        1: (OrderStatus.IN_PROGRESS,),
        2: (OrderStatus.NO_MONEY,),
        3: (OrderStatus.COMPLETE, OrderStatus.PARTIAL),
        4: (OrderStatus.INVOICED,),
    },
    actions={
        "edit": Action("Editing", (0,)),
        "set_status": Action("Changing the status reason", (0,), target=0),
        "lock": Action("Lock Pricing", (0,), message="LockSalesOrderPricing"),
        "unlock": Action("Use Current Pricing", (0,), message="UnlockSalesOrderPricing"),
        "invoice": Action(
            "Create Invoice", (0, 1, 3), target=4, message="ConvertSalesOrderToInvoice", by_patch=False
        ),
        "fulfill": Action("Fulfill Order", (0, 1), target=3, message="FulfillSalesOrder"),
        # The order confirmation: any order the customer still has, not a canceled one.
        "email": Action("Send by Email", (0, 1, 3, 4), message="SendSalesOrderByEmail", by_patch=False),
        "cancel": Action(
            "Cancel Order", (0, 1), target=2, role=M, message="CancelSalesOrder", by_patch=False
        ),
        # Never invoiced, too: salesapp.sales.services.ownership checks it.
        "delete": Action("Delete", (0,), role=OWN, message="DELETE", by_patch=False),
        "assign": Action("Assign", (0, 1, 2, 3, 4), role=OWN, message="ownerid@odata.bind", by_patch=False),
    },
)

INVOICE = Lifecycle(
    noun="invoice",
    states=InvoiceState,
    statuses=InvoiceStatus,
    reasons={
        0: (
            InvoiceStatus.NEW,
            InvoiceStatus.PARTIALLY_SHIPPED,
            InvoiceStatus.BILLED,
            InvoiceStatus.BOOKED,
            InvoiceStatus.INSTALLED,
        ),
        2: (InvoiceStatus.COMPLETE, InvoiceStatus.PARTIAL),
        3: (InvoiceStatus.CANCELED,),
    },
    actions={
        "edit": Action("Editing", (0,)),
        "set_status": Action("Changing the status reason", (0,), target=0),
        "lock": Action("Lock Pricing", (0,), message="LockInvoicePricing"),
        "unlock": Action("Use Current Pricing", (0,), message="UnlockInvoicePricing"),
        "pay": Action("Invoice Paid", (0,), target=2, role=M, message="PATCH statecode 2"),
        # SPEC §10: another payment on a Paid · Partial invoice; the balance decides Partial or Complete.
        "add_payment": Action("Add Payment", (2,), role=M, message="POST invoicepayments", by_patch=False),
        "credit": Action("Create Credit Note", (0, 2), role=M, message="CreateCreditNote", by_patch=False),
        "remind": Action(
            "Send Payment Reminder", (0, 2), role=M, message="SendPaymentReminder", by_patch=False
        ),
        "cancel": Action("Cancel Invoice", (0,), target=3, role=M, message="PATCH statecode 3"),
        "email": Action("Send by Email", (0, 2, 3), message="SendInvoiceByEmail"),
        # No "delete": invoices are never deleted, they are canceled (SPEC §4, §7).
        "assign": Action("Assign", (0, 2, 3), role=OWN, message="ownerid@odata.bind", by_patch=False),
    },
)

CREDIT_NOTE = Lifecycle(
    noun="credit note",
    states=CreditNoteState,
    statuses=CreditNoteStatus,
    reasons={0: (CreditNoteStatus.ISSUED,)},
    actions={
        "edit": Action("Editing", ()),  # a credit note is issued whole and never edited
        "email": Action("Send by Email", (0,), message="SendCreditNoteByEmail"),
        "assign": Action("Assign", (0,), role=OWN, message="ownerid@odata.bind", by_patch=False),
    },
)
