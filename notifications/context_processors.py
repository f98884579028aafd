"""The bell: how many notifications the logged-in user has not read (one COUNT on an index)."""

from .selectors import unread_count


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
