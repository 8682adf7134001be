"""Who calls the API when it is not a person: the principal an API key authenticates as."""


class ApiKeyPrincipal:
    """Stands in for `request.user` when an integrator calls with a key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True
    pk = None

    def __init__(self, key):
        self.key = key
        self.partner = key.partner

    def __str__(self) -> str:
        return f"API key {self.key.prefix} of {self.partner}"
