"""A month's sessions per referral (office dashboard, monthly report) by index (issue 9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_seed_services")]

    operations = [
        migrations.AddIndex(
            model_name="servicesession",
            index=models.Index(fields=["referral", "date"], name="partners_se_referra_5bb3ee_idx"),
        ),
    ]
