"""Choice lists of the alliance's reference data, shared by the domains (vehicle categories per UNECE)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """UNECE categories plus EPAC (pedal-assist e-bikes)."""

    EPAC = "EPAC", _("EPAC (pedal-assist e-bike)")
    L1E = "L1e", _("L1e light two-wheeler")
    L2E = "L2e", _("L2e three-wheel moped")
    L3E = "L3e", _("L3e two-wheel motorcycle")
    L4E = "L4e", _("L4e motorcycle with sidecar")
    L5E = "L5e", _("L5e powered tricycle")
    L6E = "L6e", _("L6e light quadricycle")
    L7E = "L7e", _("L7e heavy quadricycle")
    M1 = "M1", _("M1 passenger car")
    N1 = "N1", _("N1 light goods vehicle")
