"""How brute-force protection (django-axes) names what is being tried, and how many failures it allows."""

from django.conf import settings

# Failed API-key calls are counted per address under this one name, whatever key was tried.
API_KEY_CREDENTIAL = "api-key"


def axes_username(request, credentials=None) -> str | None:
    """The e-mail tried, lower-cased, so `Owner@x` and `owner@x` share one failure count."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("username") or data.get("email")
    return value.strip().lower() if isinstance(value, str) else None


def failure_limit(request, credentials=None) -> int:
    """Sign-ins get few tries; an integrator's misconfigured key gets more before its address cools off."""
    if (credentials or {}).get("username") == API_KEY_CREDENTIAL:
        return settings.API_KEY_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT
