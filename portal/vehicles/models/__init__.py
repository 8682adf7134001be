"""Models of the vehicle registry (partner schema)."""

from .imports import ImportJob, ImportRejection
from .registry import Vehicle, VehicleModel, VehicleStatusChange

__all__ = ["ImportJob", "ImportRejection", "Vehicle", "VehicleModel", "VehicleStatusChange"]
