"""URL kwargs of vehicle registry objects that belong to the victim partner (for tests/test_isolation.py)."""

from .factories import model_make, vehicle_make


def _vin(partner) -> dict:
    return {"vin": vehicle_make(partner, plant="victim-plant").vin}


def _model_pk(partner) -> dict:
    return {"pk": model_make(partner).pk}


SAMPLES = {
    "vehicles:vehicle_detail": _vin,
    "vehicles:vehicle_status": _vin,
    "vehicles:vehicle_rxswin": _vin,
    "vehicles:model_update": _model_pk,
    "v1:vehicle-detail": _vin,
    "v1:vehicle-status": _vin,
    "v1:vehicle-rxswin": _vin,
    "v1:vehicle-model-detail": _model_pk,
}

from .import_samples import IMPORT_SAMPLES, finished_job_make  # noqa: E402 -- the import engineer's routes

SAMPLES.update(IMPORT_SAMPLES)


def _plant(partner) -> list[str]:
    """A model, a vehicle and an import whose texts only the partner's members may ever see."""
    slug = partner.schema_name
    model = model_make(partner, name=f"SECRET-{slug}-model")
    vehicle = vehicle_make(partner, model=model, plant=f"SECRET-{slug}-plant", rxswin=f"SECRET-{slug}-rxswin")
    job = finished_job_make(partner)
    return [model.name, vehicle.plant, vehicle.vin, vehicle.rxswin, job.original_name]


PLANTS = [_plant]
