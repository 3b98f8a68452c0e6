"""The two global role groups and Core20PLUS5's clinical areas: vocabulary every install needs."""

from django.db import migrations

from hubs.vocabulary import ensure_vocabulary


def create(apps, schema_editor):
    ensure_vocabulary(apps.get_model("auth", "Group"), apps.get_model("hubs", "ClinicalArea"))


class Migration(migrations.Migration):
    dependencies = [("hubs", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
