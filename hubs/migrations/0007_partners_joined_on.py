from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def joined_when_the_hub_started(apps, schema_editor):
    """Partners recorded before joining dates were kept joined, as far as anyone knows, when their hub started."""
    Hub = apps.get_model("hubs", "Hub")
    start = Subquery(Hub.objects.filter(pk=OuterRef("hub_id")).values("start_date")[:1])
    for name in ("Partnership", "HistoricalPartnership"):
        apps.get_model("hubs", name).objects.filter(joined_on__isnull=True).update(joined_on=start)


class Migration(migrations.Migration):
    dependencies = [("hubs", "0006_partners_and_engagement")]

    operations = [
        migrations.RunPython(joined_when_the_hub_started, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partnership",
            name="joined_on",
            field=models.DateField(
                help_text="The day the organisation started working with the hub.", verbose_name="joined on"
            ),
        ),
        migrations.AlterField(
            model_name="historicalpartnership",
            name="joined_on",
            field=models.DateField(
                help_text="The day the organisation started working with the hub.", verbose_name="joined on"
            ),
        ),
    ]
