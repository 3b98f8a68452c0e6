"""How the portal names a person."""


def display_name(user, fallback: str = "Not recorded") -> str:
    """A user's full name, else their username, else the fallback (no user, or one since removed)."""
    if user is None:
        return fallback
    return user.get_full_name() or user.username
