from django.db import migrations


def load(apps, schema_editor):
    from clients.regions_data import load_regions

    load_regions(apps)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
