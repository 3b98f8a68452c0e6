"""Rows every installation needs: the global role groups and Core20PLUS5's clinical areas.

The data migration writes them; ``ensure_vocabulary`` puts them back wherever they
went missing (a flushed test database, say), and is safe to run any number of times.
"""

from .access import GLOBAL_ROLE_GROUPS

# (population, code, name), in the order NHS England lists them.
CLINICAL_AREAS = [
    ("adults", "maternity", "Maternity"),
    ("adults", "severe-mental-illness", "Severe mental illness (annual physical health checks)"),
    ("adults", "chronic-respiratory-disease", "Chronic respiratory disease"),
    ("adults", "early-cancer-diagnosis", "Early cancer diagnosis"),
    ("adults", "hypertension", "Hypertension case-finding and lipid management"),
    ("children", "children-asthma", "Asthma"),
    ("children", "children-diabetes", "Diabetes"),
    ("children", "children-epilepsy", "Epilepsy"),
    ("children", "children-oral-health", "Oral health"),
    ("children", "children-mental-health", "Mental health"),
]


def ensure_vocabulary(group_model, clinical_area_model) -> None:
    """Create the groups and clinical areas that are missing; takes models so migrations can call it."""
    for name in GLOBAL_ROLE_GROUPS:
        group_model.objects.get_or_create(name=name)
    for position, (population, code, name) in enumerate(CLINICAL_AREAS):
        clinical_area_model.objects.get_or_create(
            code=code, defaults={"name": name, "population": population, "position": position}
        )
