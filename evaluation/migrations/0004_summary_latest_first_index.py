"""An index for the summary's "latest figure" sort, on PostgreSQL only.

The sort is DESC NULLS LAST, which SQLite cannot put in an index; on PostgreSQL
the index lets a page of 50 rows be read off it instead of sorting every summary.
"""

from django.db import migrations

INDEX = "evaluation_summary_latest_first"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON evaluation_indicatorsummary "
            "(latest_period DESC NULLS LAST, indicator_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_indicator_summary")]

    operations = [migrations.RunPython(create, drop)]
