"""Bulk import of batteries and of their readings through the vehicle import's streaming pipeline.

Two kinds of `ImportJob` (`portal.vehicles.importing.targets`), registered from `BatteriesConfig.ready()`:
`batteries` (identifier, battery model, category, status, VIN and fitting date, passport values by attribute id)
and `battery_readings` (identifier, time, state of health, capacity fade, cycles, energy throughput, negative
event, source). See docs/batteries.md.
"""
