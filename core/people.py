"""How the portal names a person."""


def display_name(user, fallback: str = "Not recorded") -> str:
    """A user's full name, else their username, else the fallback (no user, or one since removed)."""
    if user is None:
        return fallback
    return name_from(user.first_name, user.last_name, user.username)


def name_from(first: str | None, last: str | None, username: str | None) -> str:
    """The same name from a user's columns, read without loading the user (``values_list``)."""
    return f"{first or ''} {last or ''}".strip() or username or ""
