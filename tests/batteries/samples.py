"""URL kwargs of battery passport objects that belong to the victim partner (for tests/test_isolation.py)."""

from .factories import battery_make, model_make


def _identifier(partner) -> dict:
    return {"identifier": battery_make(partner).identifier}


def _model_pk(partner) -> dict:
    return {"pk": model_make(partner).pk}


def _passport_link(partner) -> dict:
    import datetime as dt

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from portal.batteries.models import PassportLink

    battery = battery_make(partner)
    with schema_context(partner.schema_name):
        link = PassportLink.objects.create(
            link_id=f"L{battery.pk}x{partner.pk}",
            battery=battery,
            group="authority",
            issued_to="sample",
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
    return {"identifier": battery.identifier, "link_id": link.link_id}


SAMPLES = {
    "batteries:battery_detail": _identifier,
    "batteries:battery_update": _identifier,
    "batteries:battery_history": _identifier,
    "batteries:battery_fit": _identifier,
    "batteries:battery_reading": _identifier,
    "batteries:model_update": _model_pk,
    "v1:battery-detail": _identifier,
    "v1:battery-fit": _identifier,
    "v1:battery-readings": _identifier,
    "v1:battery-model-detail": _model_pk,
    # passport tools (QR codes, signed links) and the public passport page
    "passport_tools:qr_svg": _identifier,
    "passport_tools:qr_png": _identifier,
    "passport_tools:link": _identifier,
    "passport:passport": _identifier,
    "passport_tools:link_revoke": _passport_link,
}


def _plant(partner) -> list[str]:
    """A battery model and battery whose non-public texts only the partner's members may ever see."""
    slug = partner.schema_name
    model = model_make(
        partner,
        code=f"SECRET-{slug}-pack",
        values={"materials_used_in_cathode_anode_and_electrolyte": f"SECRET-{slug}-cathode"},
        complete=False,
    )
    battery = battery_make(partner, battery_model=model, complete=False)
    return [model.code, f"SECRET-{slug}-cathode", battery.identifier]


PLANTS = [_plant]
