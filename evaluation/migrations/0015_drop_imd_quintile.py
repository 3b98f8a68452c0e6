"""Drop the IMD quintile column once its figures are in groups (0014): a figure's group says whom it counts.

The uniqueness rules come back on the group (0013 dropped those on the quintile, so that going
back re-creates them only once the figures are quintiles again): one total a month (no group:
all people), one figure a month per group. The flag for quintiles not adding up is now any
breakdown's.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0014_imd_quintiles_to_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="measurement",
            options={"ordering": ["indicator", "period", "group_id"]},
        ),
        migrations.RemoveField(
            model_name="historicalmeasurement",
            name="imd_quintile",
        ),
        migrations.RemoveField(
            model_name="measurement",
            name="imd_quintile",
        ),
        migrations.AlterField(
            model_name="adoptionmonthawaiting",
            name="awaiting",
            field=models.PositiveIntegerField(help_text="Figures (totals and their groups' rows) submitted."),
        ),
        migrations.AlterField(
            model_name="dataqualityflag",
            name="detail",
            field=models.CharField(help_text="What was found, in numbers.", max_length=1000),
        ),
        migrations.AlterField(
            model_name="dataqualityflag",
            name="kind",
            field=models.CharField(
                choices=[
                    ("outside_limits", "Outside the process limits"),
                    ("unusual_jump", "An unusual jump from the month before"),
                    ("same_value", "The same figure four months or more running"),
                    ("denominator_change", "The denominator changed by more than half"),
                    ("breakdown_not_adding_up", "A breakdown's groups do not add up to the total"),
                    ("month_missing", "A month missing between months with figures"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="historicaldataqualityflag",
            name="detail",
            field=models.CharField(help_text="What was found, in numbers.", max_length=1000),
        ),
        migrations.AlterField(
            model_name="historicaldataqualityflag",
            name="kind",
            field=models.CharField(
                choices=[
                    ("outside_limits", "Outside the process limits"),
                    ("unusual_jump", "An unusual jump from the month before"),
                    ("same_value", "The same figure four months or more running"),
                    ("denominator_change", "The denominator changed by more than half"),
                    ("breakdown_not_adding_up", "A breakdown's groups do not add up to the total"),
                    ("month_missing", "A month missing between months with figures"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("group__isnull", False)),
                fields=("indicator", "period", "group"),
                name="measurement_one_per_month_and_group",
                violation_error_message="There is already a figure for this indicator, month and group.",
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("group__isnull", True)),
                fields=("indicator", "period"),
                name="measurement_one_total_per_month",
                violation_error_message="There is already a figure for this indicator and month.",
            ),
        ),
    ]
