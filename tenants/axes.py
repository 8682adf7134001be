"""How brute-force protection names the account being tried."""


def axes_username(request, credentials=None) -> str | None:
    """The e-mail tried, lower-cased, so `Owner@x` and `owner@x` share one failure count."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("username") or data.get("email")
    return value.strip().lower() if isinstance(value, str) else None
