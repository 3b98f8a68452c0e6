"""Breakdowns as data: dimensions (IMD quintile, ethnic group, age band, sex, PLUS group), their groups,
each hub's local population shares, and a figure's group beside its IMD quintile (moved in 0014)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from evaluation.vocabulary import ensure_national_breakdowns


def create_national_breakdowns(apps, schema_editor):
    ensure_national_breakdowns(
        apps.get_model("evaluation", "BreakdownDimension"), apps.get_model("evaluation", "BreakdownGroup")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0012_summary_readings"),
        ("hubs", "0004_reporting_cycle"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The quintile's rules go first: going back, they are re-created last, once 0014 has put the
        # figures back in quintiles (the group's rules take their place in 0015).
        migrations.RemoveConstraint(model_name="measurement", name="measurement_one_total_per_month"),
        migrations.RemoveConstraint(model_name="measurement", name="measurement_one_per_month_and_quintile"),
        migrations.RemoveConstraint(model_name="measurement", name="measurement_quintile_1_to_5"),
        migrations.CreateModel(
            name="BreakdownDimension",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True)),
                ("name", models.CharField(max_length=100, unique=True)),
                ("description", models.TextField(blank=True)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "partitions",
                    models.BooleanField(
                        help_text="Each person is in exactly one group, so the groups add up to the total (less anyone whose group is not known)."
                    ),
                ),
                (
                    "local",
                    models.BooleanField(
                        default=False, help_text="Each hub defines its own groups (PLUS groups)."
                    ),
                ),
            ],
            options={
                "ordering": ["position", "name"],
            },
        ),
        migrations.CreateModel(
            name="BreakdownGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(help_text="What an uploaded file may name it by.", max_length=60)),
                ("label", models.CharField(max_length=100)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "archived",
                    models.BooleanField(default=False, help_text="Takes no new figures; its figures stay."),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("version", models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "dimension",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="groups",
                        to="evaluation.breakdowndimension",
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        blank=True,
                        help_text="The hub whose own group this is; empty for a national group.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="breakdown_groups",
                        to="hubs.hub",
                    ),
                ),
            ],
            options={
                "ordering": ["dimension__position", "position", "label"],
            },
        ),
        migrations.AddField(
            model_name="historicalmeasurement",
            name="group",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The group of people the figure is for; empty for all people.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="evaluation.breakdowngroup",
            ),
        ),
        migrations.AddField(
            model_name="measurement",
            name="group",
            field=models.ForeignKey(
                blank=True,
                help_text="The group of people the figure is for; empty for all people.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measurements",
                to="evaluation.breakdowngroup",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalBreakdownGroup",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("code", models.SlugField(help_text="What an uploaded file may name it by.", max_length=60)),
                ("label", models.CharField(max_length=100)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "archived",
                    models.BooleanField(default=False, help_text="Takes no new figures; its figures stay."),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("version", models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "dimension",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="evaluation.breakdowndimension",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The hub whose own group this is; empty for a national group.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="hubs.hub",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical breakdown group",
                "verbose_name_plural": "historical breakdown groups",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPopulationShare",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "share",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="share of the local population (%)",
                    ),
                ),
                (
                    "source",
                    models.CharField(help_text="For example: ONS Census 2021, table TS021.", max_length=200),
                ),
                (
                    "source_date",
                    models.DateField(
                        help_text="When the source counted the population.", verbose_name="date of the source"
                    ),
                ),
                (
                    "is_synthetic",
                    models.BooleanField(
                        default=False, help_text="Made up for the demo; never a real figure."
                    ),
                ),
                ("entered_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("version", models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="evaluation.breakdowngroup",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="hubs.hub",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical population share",
                "verbose_name_plural": "historical population shares",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PopulationShare",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "share",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="share of the local population (%)",
                    ),
                ),
                (
                    "source",
                    models.CharField(help_text="For example: ONS Census 2021, table TS021.", max_length=200),
                ),
                (
                    "source_date",
                    models.DateField(
                        help_text="When the source counted the population.", verbose_name="date of the source"
                    ),
                ),
                (
                    "is_synthetic",
                    models.BooleanField(
                        default=False, help_text="Made up for the demo; never a real figure."
                    ),
                ),
                ("entered_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("version", models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="population_shares",
                        to="evaluation.breakdowngroup",
                    ),
                ),
                (
                    "hub",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="population_shares",
                        to="hubs.hub",
                    ),
                ),
            ],
            options={
                "ordering": ["hub", "group"],
            },
        ),
        migrations.AddConstraint(
            model_name="breakdowngroup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("hub__isnull", True)),
                fields=("dimension", "code"),
                name="breakdown_group_national_code",
            ),
        ),
        migrations.AddConstraint(
            model_name="breakdowngroup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("hub__isnull", False)),
                fields=("dimension", "hub", "code"),
                name="breakdown_group_local_code",
                violation_error_message="The hub already has a group by this name.",
            ),
        ),
        migrations.AddConstraint(
            model_name="breakdowngroup",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("label"),
                models.F("dimension"),
                condition=models.Q(("hub__isnull", True)),
                name="breakdown_group_national_label",
            ),
        ),
        migrations.AddConstraint(
            model_name="breakdowngroup",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("label"),
                models.F("dimension"),
                models.F("hub"),
                condition=models.Q(("hub__isnull", False)),
                name="breakdown_group_local_label",
                violation_error_message="The hub already has a group by this name.",
            ),
        ),
        migrations.AddConstraint(
            model_name="breakdowngroup",
            constraint=models.CheckConstraint(
                condition=models.Q(("label", ""), _negated=True), name="breakdown_group_has_label"
            ),
        ),
        migrations.AddConstraint(
            model_name="populationshare",
            constraint=models.UniqueConstraint(
                fields=("hub", "group"), name="population_share_one_per_hub_and_group"
            ),
        ),
        migrations.AddConstraint(
            model_name="populationshare",
            constraint=models.CheckConstraint(
                condition=models.Q(("share__gte", 0), ("share__lte", 100)), name="population_share_0_to_100"
            ),
        ),
        # Last, once every table is altered: the rows it writes leave nothing pending for a later ALTER.
        migrations.RunPython(create_national_breakdowns, migrations.RunPython.noop),
    ]
