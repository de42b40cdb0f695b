"""Orders by (client, id), so joins from an office's clients to their orders read indexes only
instead of scanning every order of the country (issue 9, docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_office_and_active_order_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="supervisionorder",
            index=models.Index(fields=["client", "id"], name="clients_order_client_id_idx"),
        ),
    ]
