"""Sort indexes for "All Invoices" at a million rows (issue 13): each sortable column with the primary
key the keyset pages break ties by, so any sort reads an index range instead of sorting the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0010_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["name", "id"], name="invoice_sort_name_idx"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["invoice_date", "id"], name="invoice_sort_date_idx"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["due_date", "id"], name="invoice_sort_due_idx"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["amount_paid_base", "id"], name="invoice_sort_paid_idx"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["balance_due_base", "id"], name="invoice_sort_balance_idx"),
        ),
    ]
