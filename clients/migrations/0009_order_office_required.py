"""The copied office is required from now on, with the office lists' index.

A separate migration: on PostgreSQL the copy above leaves deferred foreign-key checks pending,
and a table with pending trigger events cannot be altered in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0008_order_office"),
    ]

    operations = [
        migrations.AlterField(
            model_name="supervisionorder",
            name="office",
            field=models.ForeignKey(
                db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="bapas.office", verbose_name="office",
            ),
        ),
        migrations.AddIndex(
            model_name="supervisionorder",
            index=models.Index(fields=["office", "status", "supervision_end", "id"],
                               name="clients_order_office_status"),
        ),
    ]
