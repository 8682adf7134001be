"""Roles for pages: "at least this role in this partner", checked one way by every page view.

Built on the request's membership (`tenants.middleware` sets `request.membership`; it is None on the public host
and for anyone who is not a member) and `Membership.has_role`. A refusal is a 403 whose page names the role needed.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tenants.choices import Role


def has_role(request, minimum: str) -> bool:
    """True when the visitor is a member of the request's partner with at least the role `minimum`."""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.has_role(minimum)


class RoleRequired(PermissionDenied):
    """Refused because the page needs a stronger role; the 403 page names it."""

    def __init__(self, minimum: str):
        self.minimum = Role(minimum)
        super().__init__(_("This needs the role “%(role)s” or a stronger one.") % {"role": self.minimum.label})


def role_check(request, minimum: str) -> None:
    """Raise `RoleRequired` (a 403) unless the visitor has at least the role `minimum` in this partner."""
    if not has_role(request, minimum):
        raise RoleRequired(minimum)


def role_required(minimum: str):
    """Decorate a page view: members below `minimum` get the 403 page (the middleware let only members in)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            role_check(request, minimum)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def is_alliance_staff(request) -> bool:
    """True for a signed-in member of the alliance's secretariat staff."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def staff_or_role(minimum: str):
    """Decorate a page served on both hosts: on the public host alliance staff only; on a partner host members with
    at least the role `minimum`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.tenant.is_public:
                if not is_alliance_staff(request):
                    raise PermissionDenied(_("Only alliance staff may do this."))
            else:
                role_check(request, minimum)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(view):
    """Decorate a page for alliance staff on the public host: everyone else gets the 403 page (no sign-in redirect)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.tenant.is_public and is_alliance_staff(request)):
            raise PermissionDenied(_("Only alliance staff may do this."))
        return view(request, *args, **kwargs)

    return wrapper
