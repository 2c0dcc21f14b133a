"""States, status reasons and the transition tables of SPEC §4 (pure: no ORM).

Values are D365's statecode / statuscode numbers, so the Web API passes them through unchanged.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from salesapp.core.exceptions import StateError


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


@dataclass(frozen=True)
class Lifecycle:
    """Status reasons per state, the default of each, and which actions each state allows."""

    noun: str
    states: type[models.IntegerChoices]
    statuses: type[models.IntegerChoices]
    reasons: dict[int, tuple[int, ...]]  # state -> its status reasons, default first
    allowed: dict[str, tuple[int, ...]]  # action -> states in which it is allowed
    action_labels: dict[str, str]

    def default_status(self, state: int) -> int:
        return self.reasons[state][0]

    def state_of(self, status: int) -> int | None:
        for state, statuses in self.reasons.items():
            if status in statuses:
                return state
        return None

    def can(self, action: str, state: int) -> bool:
        return state in self.allowed[action]

    def allowed_actions(self, state: int) -> list[str]:
        return [action for action, states in self.allowed.items() if state in states]

    def require(self, action: str, state: int) -> None:
        if self.can(action, state):
            return
        label = self.action_labels.get(action, action)
        allowed = _join(self.states(s).label for s in self.allowed[action])
        current = self.states(state).label
        raise StateError(f"{label} isn't possible: this {self.noun} is {current}, and it must be {allowed}.")

    def state_label(self, state: int) -> str:
        return self.states(state).label

    def status_label(self, status: int) -> str:
        return self.statuses(status).label


def _join(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


OPPORTUNITY = Lifecycle(
    noun="opportunity",
    states=OpportunityState,
    statuses=OpportunityStatus,
    reasons={0: (1, 2), 1: (3,), 2: (4, 5)},
    allowed={
        "edit": (0,),
        "win": (0,),
        "lose": (0,),
        "reopen": (1, 2),
        "generate": (0, 1),
    },
    action_labels={
        "edit": "Editing",
        "win": "Close as Won",
        "lose": "Close as Lost",
        "reopen": "Reopen",
        "generate": "Creating a quote, order or invoice from it",
    },
)

QUOTE = Lifecycle(
    noun="quote",
    states=QuoteState,
    statuses=QuoteStatus,
    reasons={0: (1,), 1: (2, 3), 2: (4,), 3: (7, 5, 6)},
    allowed={
        "edit": (0,),
        "activate": (0,),
        "revise": (1,),
        "close": (1,),
        "win": (1,),
        "convert": (1, 2),
    },
    action_labels={
        "edit": "Editing",
        "activate": "Activate",
        "revise": "Revise",
        "close": "Close Quote",
        "win": "Win Quote",
        "convert": "Creating an order or invoice from it",
    },
)

ORDER = Lifecycle(
    noun="order",
    states=OrderState,
    statuses=OrderStatus,
    reasons={0: (1, 2), 1: (3,), 2: (4,), 3: (100001, 100002), 4: (100003,)},
    allowed={
        "edit": (0,),
        "lock": (0,),
        "unlock": (0,),
        "invoice": (0, 1, 3),
        "fulfill": (0, 1),
        "cancel": (0, 1),
    },
    action_labels={
        "edit": "Editing",
        "lock": "Lock Pricing",
        "unlock": "Use Current Pricing",
        "invoice": "Create Invoice",
        "fulfill": "Fulfill Order",
        "cancel": "Cancel Order",
    },
)

INVOICE = Lifecycle(
    noun="invoice",
    states=InvoiceState,
    statuses=InvoiceStatus,
    reasons={0: (1, 2, 4, 5, 6), 2: (100001, 100002), 3: (100003,)},
    allowed={
        "edit": (0,),
        "lock": (0,),
        "unlock": (0,),
        "pay": (0,),
        "cancel": (0,),
        "email": (0, 2, 3),
    },
    action_labels={
        "edit": "Editing",
        "lock": "Lock Pricing",
        "unlock": "Use Current Pricing",
        "pay": "Invoice Paid",
        "cancel": "Cancel Invoice",
        "email": "Send by Email",
    },
)
