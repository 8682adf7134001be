"""Demo production volumes: 24 months of vehicles for every demo maker, inserted in bulk.

The alliance's statistics disclose a cell only when at least three partners contribute, so the demo needs what the
real alliance has: many makers, each with a few hundred vehicles a month in several categories, registered at home
and in export markets. Volumes have a realistic shape (growth, a Spring Festival dip in Chinese plants, a riding
season, the current month to date) and stay small enough for `seed_demo` to remain quick (bulk inserts, no per-row
service call: the rows are built valid — VINs with their check digit, a history that starts with production).
"""

from __future__ import annotations

import calendar
import datetime
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django_tenants.utils import schema_context
from psycopg import sql

from portal.core.months import month_add, month_of

from .choices import ChangeSource, VehicleStatus
from .demo import MODELS as FLEET_MODELS
from .demo import demo_vin, models_ensure
from .models import Vehicle, VehicleStatusChange

MONTHS = 24

# The new makers' models: (name, category, chemistry, kWh, range km, connectivity, HS code, VDS code).
MODELS = {
    "cq-lingyun": [
        ("Lingyun L1 Urban", "L1e", "LFP", "1.92", 70, ["4G", "GNSS", "BATTERY_SWAP"], "8711.60", "L1U2B"),
        ("Lingyun R7", "L3e", "NMC", "5.76", 150, ["4G", "GNSS", "OTA"], "8711.60", "R7S3A"),
    ],
    "wuxi-swiftride": [
        ("Swiftride Commuter 250", "EPAC", "NMC", "0.54", 90, ["GNSS"], "8711.60", "SC25E"),
        ("Swiftride Mini", "L1e", "LFP", "1.20", 60, ["4G", "GNSS"], "8711.60", "SM1L0"),
    ],
    "tianjin-feiyue": [
        ("Feiyue Trek 250", "EPAC", "NMC", "0.62", 100, ["GNSS"], "8711.60", "FT25E"),
        ("Feiyue Fold 250", "EPAC", "LFP", "0.36", 55, [], "8711.60", "FF25E"),
    ],
    "taizhou-hengtong": [
        ("Hengtong Cargo 1500", "L5e", "LFP", "7.20", 110, ["GNSS"], "8703.80", "HC15T"),
        ("Hengtong Rickshaw 6", "L5e", "LFP", "5.40", 120, ["GNSS", "4G"], "8703.80", "HR6P0"),
    ],
    "sao-viet-ev": [
        ("Sao Viet SV1", "L1e", "LFP", "1.50", 80, ["GNSS", "BATTERY_SWAP"], "8711.60", "SV1L0"),
        ("Sao Viet SV3", "L3e", "NMC", "3.60", 120, ["4G", "GNSS", "OTA"], "8711.60", "SV3M0"),
    ],
    "garuda-listrik": [
        ("Garuda G2", "L1e", "LFP", "1.44", 65, ["GNSS", "BATTERY_SWAP"], "8711.60", "G2L1E"),
        ("Garuda G5", "L3e", "NMC", "4.00", 130, ["4G", "GNSS"], "8711.60", "G5L3E"),
    ],
    "pune-volta": [
        ("Volta Swift", "L1e", "LFP", "2.20", 85, ["4G", "GNSS", "OTA"], "8711.60", "VSL1E"),
        ("Volta Rick 3", "L5e", "LFP", "6.10", 110, ["GNSS"], "8703.80", "VR3L5"),
    ],
    "ister-emobility": [
        ("Ister Cargo 250", "EPAC", "NMC", "0.75", 80, ["GNSS", "AIOT"], "8711.60", "CG25E"),
        ("Ister Trike", "L5e", "LFP", "4.80", 90, ["4G", "GNSS"], "8703.80", "TK5L5"),
    ],
}


@dataclass(frozen=True)
class Fleet:
    """A maker's production line for the demo: how many a month, in which models, registered where."""

    wmi: str
    plant: str  # VIN position 11; never the letter of the detailed demo fleet or of the demo imports
    plant_name: str
    per_month: int  # vehicles a month two years ago
    growth: float  # per month
    weights: tuple[int, ...]  # share of each model (in the order of the maker's models)
    markets: tuple[tuple[str, str, float], ...]  # (country, region, weight): where its vehicles get registered
    small_maker_code: str = ""
    spring_festival: bool = True  # a Chinese plant: February is short


FLEETS = {
    "cq-thunder": Fleet(
        "LCT",
        "D",
        "Liangjiang plant, Chongqing",
        90,
        0.020,
        (3, 1, 4, 2),
        (
            ("CN", "Chongqing", 5),
            ("CN", "Sichuan", 2),
            ("CN", "Guangdong", 2),
            ("HU", "Budapest", 0.6),
            ("SA", "Riyadh", 0.5),
            ("TH", "Bangkok", 0.4),
        ),
    ),
    # A small maker (under 1,000 vehicles a year): its code in VIN positions 12–14, three-digit serials.
    "siam-ebike": Fleet(
        "MS9",
        "B",
        "Ayutthaya plant, line 2",
        25,
        0.012,
        (3, 2),
        (("TH", "Bangkok", 6), ("TH", "Chiang Mai", 3), ("VN", "Ho Chi Minh City", 1)),
        small_maker_code="SEB",
        spring_festival=False,
    ),
    "cq-lingyun": Fleet(
        "LLY",
        "A",
        "Yubei plant, Chongqing",
        150,
        0.022,
        (3, 2),
        (
            ("CN", "Chongqing", 5),
            ("CN", "Guizhou", 2),
            ("VN", "Hanoi", 1),
            ("TH", "Bangkok", 0.8),
            ("ID", "Jakarta", 0.8),
            ("IN", "Delhi", 0.5),
            ("HU", "Budapest", 0.5),
        ),
    ),
    "wuxi-swiftride": Fleet(
        "LSW",
        "A",
        "Xishan plant, Wuxi",
        130,
        0.015,
        (7, 3),
        (("CN", "Jiangsu", 5), ("CN", "Shanghai", 3), ("HU", "Budapest", 1), ("DE", "Hamburg", 1)),
    ),
    "tianjin-feiyue": Fleet(
        "LFY",
        "A",
        "Binhai plant, Tianjin",
        110,
        0.010,
        (3, 2),
        (
            ("CN", "Tianjin", 4),
            ("CN", "Beijing", 3),
            ("TH", "Bangkok", 0.8),
            ("HU", "Budapest", 0.8),
            ("DE", "Berlin", 0.8),
        ),
    ),
    "taizhou-hengtong": Fleet(
        "LHT",
        "A",
        "Huangyan plant, Taizhou",
        55,
        0.012,
        (2, 1),
        (
            ("CN", "Zhejiang", 5),
            ("CN", "Jiangsu", 2),
            ("VN", "Hanoi", 1.2),
            ("IN", "Uttar Pradesh", 1),
            ("SA", "Jeddah", 0.8),
        ),
    ),
    "sao-viet-ev": Fleet(
        "RLS",
        "A",
        "Bac Ninh plant",
        80,
        0.025,
        (3, 1),
        (("VN", "Hanoi", 5), ("VN", "Ho Chi Minh City", 4), ("TH", "Bangkok", 0.8), ("ID", "Jakarta", 0.8)),
        spring_festival=False,
    ),
    "garuda-listrik": Fleet(
        "MHG",
        "A",
        "Cikarang plant",
        60,
        0.030,
        (2, 1),
        (("ID", "West Java", 6), ("ID", "Jakarta", 3), ("TH", "Bangkok", 1)),
        spring_festival=False,
    ),
    "pune-volta": Fleet(
        "MBV",
        "A",
        "Chakan plant, Pune",
        85,
        0.028,
        (2, 1),
        (("IN", "Maharashtra", 5), ("IN", "Karnataka", 3), ("SA", "Riyadh", 1)),
        spring_festival=False,
    ),
    "ister-emobility": Fleet(
        "TRS",
        "A",
        "Győr plant",
        28,
        0.015,
        (3, 2),
        (("HU", "Győr-Moson-Sopron", 3), ("HU", "Budapest", 3), ("DE", "Munich", 2)),
        spring_festival=False,
    ),
}


def monthly_volumes(fleet: Fleet, *, rng: random.Random, today: datetime.date) -> list[tuple[datetime.date, int]]:
    """(month, vehicles produced) for the last `MONTHS` months, the current month counted to `today`."""
    current = month_of(today)
    out = []
    for back in range(MONTHS - 1, -1, -1):
        month = month_add(current, -back)
        season = 1.1 if month.month in (4, 5, 6, 7, 8, 9) else 1.0
        if fleet.spring_festival and month.month == 2:
            season = 0.55  # plants stop for the Spring Festival
        volume = fleet.per_month * (1 + fleet.growth) ** (MONTHS - 1 - back) * season * rng.uniform(0.92, 1.08)
        if month == current:
            volume *= today.day / calendar.monthrange(month.year, month.month)[1]
        out.append((month, round(volume)))
    return out


# Vehicle columns written by COPY, in the order of the rows `fleet_rows` builds.
VEHICLE_FIELDS = (
    "vin",
    "model",
    "production_date",
    "plant",
    "status",
    "registration_country",
    "registration_region",
    "plate",
    "registration_date",
    "created_at",
    "updated_at",
)


def fleet_rows(fleet: Fleet, models: list, *, rng: random.Random, today: datetime.date) -> list[tuple]:
    """The vehicles of a fleet as rows of `VEHICLE_FIELDS`; 80 % get registered at home or in an export market."""
    serials: dict[tuple[str, int], int] = {}
    countries = [market[:2] for market in fleet.markets]
    weights = [market[2] for market in fleet.markets]
    now = datetime.datetime.now(tz=datetime.UTC)
    out = []
    for month, volume in monthly_volumes(fleet, rng=rng, today=today):
        last_day = min(today, month_add(month, 1) - datetime.timedelta(days=1))
        for _ in range(volume):
            model, vds = rng.choices(models, weights=fleet.weights)[0]
            produced = month + datetime.timedelta(days=rng.randrange(0, (last_day - month).days + 1))
            key = (vds, produced.year)
            serials[key] = serials.get(key, 0) + 1
            vin = demo_vin(fleet.wmi, vds, produced.year, fleet.plant, serials[key], fleet.small_maker_code)
            status, country, region, plate, registered = VehicleStatus.PRODUCED, "", "", "", None
            registration = produced + datetime.timedelta(days=rng.randrange(7, 50))
            if rng.random() < 0.8 and registration <= today:
                status, registered = VehicleStatus.REGISTERED, registration
                country, region = rng.choices(countries, weights=weights)[0]
                plate = f"{region[:2].upper()}-{rng.randrange(10000, 99999)}"
            row = (vin, model.pk, produced, fleet.plant_name, status, country, region, plate, registered, now, now)
            out.append(row)
    return out


def _seed_fleet(partner, slug: str, specs: list, today: datetime.date) -> int:
    fleet = FLEETS[slug]
    with schema_context(partner.schema_name), transaction.atomic():
        if Vehicle.objects.filter(plant=fleet.plant_name).exists():
            return 0
        rows = fleet_rows(fleet, models_ensure(specs), rng=random.Random(f"volumes-{slug}"), today=today)
        columns = sql.SQL(", ").join(sql.Identifier(Vehicle._meta.get_field(name).column) for name in VEHICLE_FIELDS)
        with connection.cursor() as cursor:
            # COPY, then the history in one INSERT … SELECT: ~10 times faster than building model instances.
            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(Vehicle._meta.db_table), columns)
            with cursor.copy(copy) as writer:
                for row in rows:
                    writer.write_row(row)
            params = {"plant": fleet.plant_name, "home": fleet.markets[0][0], "source": ChangeSource.IMPORT}
            params.update({status.name.lower(): status.value for status in VehicleStatus})
            cursor.execute(_history_sql(), params)
        return len(rows)


# The history of the vehicles of one plant, each step on its day at 10:00 UTC: produced; exported half-way to
# a registration abroad; registered. Names: `{vehicles}`, `{changes}` are the tables, `{v_…}`/`{c_…}` columns.
HISTORY_SQL = """
INSERT INTO {changes} ({c_vehicle}, {c_from_status}, {c_to_status}, {c_changed_at}, {c_source}, {c_note})
SELECT v.id, '', %(produced)s, (v.{v_production_date} + time '10:00') AT TIME ZONE 'UTC', %(source)s, ''
FROM {vehicles} v WHERE v.{v_plant} = %(plant)s
UNION ALL
SELECT v.id, %(produced)s, %(exported)s,
    (v.{v_production_date} + (v.{v_registration_date} - v.{v_production_date}) / 2 + time '10:00') AT TIME ZONE 'UTC',
    %(source)s, ''
FROM {vehicles} v WHERE v.{v_plant} = %(plant)s AND v.{v_registration_country} NOT IN ('', %(home)s)
UNION ALL
SELECT v.id, CASE WHEN v.{v_registration_country} = %(home)s THEN %(produced)s ELSE %(exported)s END,
    %(registered)s, (v.{v_registration_date} + time '10:00') AT TIME ZONE 'UTC', %(source)s, ''
FROM {vehicles} v WHERE v.{v_plant} = %(plant)s AND v.{v_registration_country} <> ''
"""


def _history_sql() -> str:
    """HISTORY_SQL with the tables and columns named through the models' `_meta`, quoted."""
    names = {"vehicles": Vehicle._meta.db_table, "changes": VehicleStatusChange._meta.db_table}
    for prefix, model in (("v", Vehicle), ("c", VehicleStatusChange)):
        names.update({f"{prefix}_{field.name}": field.column for field in model._meta.concrete_fields})
    return HISTORY_SQL.format(**{key: sql.Identifier(name).as_string() for key, name in names.items()})


def volumes_seed(*, partners: dict, stdout, today: datetime.date | None = None) -> None:
    """24 months of production for every demo maker in `partners` (idempotent: a fleet already there is kept)."""
    today = today or datetime.date.today()
    specs = {**FLEET_MODELS, **MODELS}  # the detailed fleets' makers produce the models they have
    for slug in FLEETS:
        if slug in partners:
            added = _seed_fleet(partners[slug], slug, specs[slug], today)
            stdout.write(f"{slug}: {added} vehicles of monthly production added.")
