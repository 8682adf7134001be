"""Template context: the partner of the current host and the visitor's membership."""

from .selectors import membership_list_for_user


def partner(request):
    """Expose the current partner, membership and the visitor's other workspaces."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    current = tenant if tenant is not None and not tenant.is_public else None
    # A signed-in non-member (refused with 403) is not shown whose workspace this is.
    if (
        current is not None
        and user is not None
        and user.is_authenticated
        and getattr(request, "membership", None) is None
    ):
        current = None
    return {
        "current_partner": current,
        "on_public_host": tenant is not None and tenant.is_public,
        "current_membership": getattr(request, "membership", None),
        "my_memberships": (lambda: list(membership_list_for_user(user=user)) if user and user.is_authenticated else []),
    }
