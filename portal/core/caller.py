"""The person behind a call: a saved user, or None (an API key's principal, an anonymous visitor, nobody).

Services record who did something as `by: User | None`; views and viewsets resolve it here, never by hand.
"""

from tenants.models import User


def person_of(user) -> User | None:
    """`user` when it is a saved person; None for an API key's principal, an anonymous visitor or None."""
    return user if isinstance(user, User) and user.pk is not None else None


def request_person(request) -> User | None:
    """The person who made the request, or None (API key, anonymous)."""
    return person_of(getattr(request, "user", None))
