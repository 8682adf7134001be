import pytest

from portal.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _empty_trail(db):
    """The shared world's provisioning left events behind; each test starts from an empty trail (rolled back)."""
    AuditEvent.objects.all().delete()
