"""Orders carry their client's office: office lists start from the office's orders."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_office(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    SupervisionOrder = apps.get_model("clients", "SupervisionOrder")
    SupervisionOrder.objects.update(
        office_id=Subquery(Client.objects.filter(pk=OuterRef("client_id")).values("office_id"))
    )


class Migration(migrations.Migration):

    dependencies = [
        ("bapas", "0002_initial"),
        ("clients", "0007_contact_open_order_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="supervisionorder",
            name="office",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="bapas.office", verbose_name="office",
            ),
        ),
        migrations.RunPython(copy_office, migrations.RunPython.noop, elidable=True),
    ]
