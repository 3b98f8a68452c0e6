from django import template

register = template.Library()


@register.filter
def pence(amount) -> str:
    """£1,234.56 – pounds and pence, as entered; a refund reads "−£250.00"."""
    if amount is None:
        return ""
    return f"−£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


@register.filter
def percent(share) -> str:
    return "" if share is None else f"{share:.0f}%"
