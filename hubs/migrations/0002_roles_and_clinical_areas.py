"""The two global role groups and Core20PLUS5's clinical areas: vocabulary every install needs."""

from django.db import migrations

CLINICAL_AREAS = [
    ("adults", "maternity", "Maternity"),
    (
        "adults",
        "severe-mental-illness",
        "Severe mental illness (annual physical health checks)",
    ),
    ("adults", "chronic-respiratory-disease", "Chronic respiratory disease"),
    ("adults", "early-cancer-diagnosis", "Early cancer diagnosis"),
    ("adults", "hypertension", "Hypertension case-finding and lipid management"),
    ("children", "asthma", "Asthma"),
    ("children", "diabetes", "Diabetes"),
    ("children", "epilepsy", "Epilepsy"),
    ("children", "oral-health", "Oral health"),
    ("children", "mental-health", "Mental health"),
]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ("Evaluators", "AHSN admins"):
        Group.objects.get_or_create(name=name)
    ClinicalArea = apps.get_model("hubs", "ClinicalArea")
    for position, (population, code, name) in enumerate(CLINICAL_AREAS):
        ClinicalArea.objects.update_or_create(
            code=f"{population}-{code}" if population == "children" else code,
            defaults={"name": name, "population": population, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
