"""The summary table: one row per (kind, owner, state, status, month) of the documents it counts.

Kinds: "opportunity" and "invoice" (month: of the close date / invoice date), and "receivable": the
open invoices again, by due date (`month` then holds the day, yyyymmdd), which the receivables aging
and the open / overdue invoice cards add up without reading the invoices.

Amounts are base-currency sums in ten-thousandths (the money columns' 4 places) as integers, so that
the incremental `+ delta` is exact on SQLite too (which adds decimals as floats).
"""

from django.db import models


class DocumentFigure(models.Model):
    kind = models.CharField(max_length=20)  # PricedDocument.kind: "opportunity", "invoice"
    owner = models.BigIntegerField(default=0)  # the owner's user id; 0 = no owner
    state = models.IntegerField()
    status = models.IntegerField()
    month = models.IntegerField(default=0)  # yyyymm of the kind's date, yyyymmdd for "receivable"; 0 = none
    count = models.BigIntegerField(default=0)
    total_base = models.BigIntegerField(default=0)
    estimated_base = models.BigIntegerField(default=0)
    revenue_base = models.BigIntegerField(default=0)
    balance_base = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner", "state", "status", "month"], name="reporting_figure_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner}/{self.state}/{self.status}/{self.month}: {self.count}"
