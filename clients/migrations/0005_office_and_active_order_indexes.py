"""Office-wide lists and counts read indexes only (issue 9, docs/performance.md): the office's
client ids from (office, id), and each client's active order from a partial index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_performance_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["office", "id"], name="clients_client_office_id_idx"),
        ),
        migrations.AddIndex(
            model_name="supervisionorder",
            index=models.Index(condition=models.Q(("status", "aktif")), fields=["client"],
                               name="clients_order_active_client"),
        ),
    ]
