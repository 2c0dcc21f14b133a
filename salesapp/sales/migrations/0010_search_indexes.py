"""Indexes for lists at a million invoices (issue 13).

Btree (both databases): the list's views, filters and sorts read an index range.
Trigram (PostgreSQL only): the lists' search (`icontains`, which PostgreSQL runs as
UPPER(col::text) LIKE UPPER('%…%')) on invoice number and name and the customer's name is answered
from GIN indexes over that same expression with gin_trgm_ops. They live in the database only, not in
the models' state, so SQLite (plain LIKE, correct if slower) never sees them.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Cast, Upper

# (app, model, field, index name)
TRIGRAM = (
    ("sales", "Invoice", "invoice_number", "invoice_number_trgm"),
    ("sales", "Invoice", "name", "invoice_name_trgm"),
    ("customers", "Account", "name", "account_name_trgm"),
    ("customers", "Contact", "first_name", "contact_first_name_trgm"),
    ("customers", "Contact", "last_name", "contact_last_name_trgm"),
)


def trigram_index(field: str, name: str) -> GinIndex:
    return GinIndex(OpClass(Upper(Cast(field, models.TextField())), name="gin_trgm_ops"), name=name)


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model, field, name in TRIGRAM:
        schema_editor.add_index(apps.get_model(app, model), trigram_index(field, name))


def remove_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model, field, name in TRIGRAM:
        schema_editor.remove_index(apps.get_model(app, model), trigram_index(field, name))


class Migration(migrations.Migration):

    dependencies = [
        ("sales", "0009_timeline_notes"),
        ("customers", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddIndex(model_name="invoice", index=models.Index(fields=fields, name=name))
            for fields, name in (
                (["owner", "created_on"], "invoice_owner_created_idx"),
                (["state", "created_on"], "invoice_state_created_idx"),
                (["state", "total_amount"], "invoice_state_total_idx"),
                (["state", "invoice_date"], "invoice_state_date_idx"),
                (["total_amount"], "invoice_total_idx"),
            )
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("balance_due__gt", 0), models.Q(("state", 3), _negated=True)),
                fields=["due_date"],
                name="invoice_open_due_date_idx",
            ),
        ),
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on SQLite
        migrations.RunPython(add_trigram_indexes, remove_trigram_indexes),
    ]
