"""Hand-made complexity checks for the tests: all seven domains rated, each with a reason."""

from innovations.complexity import DOMAINS, reason_field
from innovations.models import ComplexityCheck


def ratings(default: str = "simple", **overrides: str) -> dict[str, str]:
    """The form's or service's fields: each domain rated ``default`` unless overridden, each with a reason."""
    values = {}
    for domain, label in DOMAINS:
        values[domain] = overrides.get(domain, default)
        values[reason_field(domain)] = f"Why {label.lower()} is {values[domain]}."
    return values


def make_check(adoption, on, default: str = "simple", **overrides: str) -> ComplexityCheck:
    return ComplexityCheck.objects.create(adoption=adoption, checked_on=on, **ratings(default, **overrides))
