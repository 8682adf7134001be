"""Export compliance at scale: screening one consignee against 50,000 entries, and checking a 10,000-vehicle shipment.

Set-up: 50,000 screening-list entries (Latin names of 2–4 words from a vocabulary, a fifth with a Chinese alias,
keys computed by `portal.reference.names` and bulk-inserted), one partner with 4 vehicle models, their
certificates, and 10,000 vehicles (with their first history row) on one open shipment to Hungary.

Figures (medians):
- `screen_ms`: `ScreeningIndex.scan` of one consignee (names in turn: a Chinese name, an unspaced one, a near
  miss, a clean one) against the in-memory index of the 50,000 entries, computed each time (`screen` remembers
  the hits of names it screened; `scan` is what a name not screened before costs); `screen_cold_ms` includes
  reading the stored keys and building the index, which happens once per list version and process.
- `check_10k_ms`: `services.shipment_check` of the 10,000-vehicle shipment, the whole thing (rule tables,
  screening, vehicles, certificates, other shipments, storing the check), with the index's remembered hits
  forgotten before each run, so every run screens the consignee; `recheck_10k_ms`: the same check again
  (the consignee's hits remembered, as when open shipments are re-checked after a rule change).
- `floor_ms`: the same 10,000 shipment rows (vehicle id, VIN, status, model) read with one plain SQL query on
  the same connection; `ratio` = check_10k_ms / floor_ms. `screen_floor_ms` reads the 50,000 entries' stored keys
  with one plain query, for comparison with `screen_cold_ms`.
"""

import datetime
import random
import statistics
import time

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.compliance.models import Shipment
from portal.compliance.screening import index_clear, index_get
from portal.compliance.services.certificates import certificate_create
from portal.compliance.services.checks import shipment_check
from portal.reference.models import CertificateType, ScreenedParty
from portal.reference.names import name_keys
from portal.reference.versions import reference_versions
from portal.vehicles.models import VehicleModel
from tenants.choices import PartnerKind
from tenants.services import partner_provision

ENTRIES = 50_000
VEHICLES = 10_000
SCREEN_RUNS = 40
CHECK_RUNS = 5
WORDS = [
    "golden",
    "dragon",
    "star",
    "eagle",
    "pacific",
    "global",
    "united",
    "eastern",
    "western",
    "northern",
    "southern",
    "royal",
    "crown",
    "phoenix",
    "ocean",
    "river",
    "mountain",
    "silk",
    "road",
    "bridge",
    "harbor",
    "trade",
    "trading",
    "import",
    "export",
    "logistics",
    "industrial",
    "motor",
    "motors",
    "mobility",
    "energy",
    "power",
    "battery",
    "electric",
    "vehicle",
    "parts",
    "supply",
    "general",
    "holdings",
    "group",
    "commerce",
    "kestrel",
    "falcon",
    "lotus",
    "jade",
    "pearl",
    "summit",
    "delta",
    "alpha",
    "omega",
    "nova",
    "orion",
    "atlas",
    "titan",
    "zenith",
    "horizon",
]
HAN = "金龙实业贸易星海东方联合太平洋能源动力电池汽车零部件供应集团商务凤凰丝路桥港"
CONSIGNEES = [
    "重庆雷霆机车有限公司",
    "ChongqingLeitingJiche",
    "Kestrel Stars Trading Co.",
    "Danube EV Export Services Kft.",
]
VEHICLE_SQL = """
INSERT INTO vehicles_vehicle (vin, model_id, production_date, plant, status, registration_country,
                              registration_region, plate, created_at, updated_at)
SELECT 'LBCJCNL00R' || lpad(i::text, 7, '0'), (%(models)s)[1 + i %% 4], date '2025-01-01' + (i %% 300), 'Bench',
       'produced', '', '', '', now(), now()
FROM generate_series(1, %(rows)s) AS i
"""
HISTORY_SQL = """
INSERT INTO vehicles_vehiclestatuschange (vehicle_id, from_status, to_status, changed_at, source, note)
SELECT id, '', 'produced', now(), 'import', '' FROM vehicles_vehicle
"""
ITEMS_SQL = """
INSERT INTO compliance_shipmentvehicle (shipment_id, vehicle_id, added_at)
SELECT %(shipment)s, id, now() FROM vehicles_vehicle
"""
FLOOR_SQL = """
SELECT sv.vehicle_id, v.vin, v.status, v.model_id
FROM compliance_shipmentvehicle sv JOIN vehicles_vehicle v ON v.id = sv.vehicle_id
WHERE sv.shipment_id = %s
"""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _screening_list() -> float:
    rng = random.Random(7)
    parties = []
    started = time.perf_counter()
    for number in range(ENTRIES):
        name = " ".join(rng.sample(WORDS, rng.randint(2, 4))).title() + rng.choice([" LLC", " Co., Ltd.", " GmbH", ""])
        aliases = ["".join(rng.sample(HAN, rng.randint(4, 8))) + "有限公司"] if number % 5 == 0 else []
        parties.append(
            ScreenedParty(
                name=name,
                aliases=aliases,
                country=rng.choice(["CN", "AE", "RU", "IR", "HK", ""]),
                list_source="Bench list",
                source_id=f"B{number}",
                match_keys=name_keys([name, *aliases]),
            )
        )
    parties.append(ScreenedParty(name="Kestrel Star Trading FZE", list_source="Bench list", country="AE"))
    parties[-1].match_keys = name_keys(parties[-1].all_names())
    ScreenedParty.objects.bulk_create(parties, batch_size=5000)
    return time.perf_counter() - started


def _partner_and_shipment():
    partner = partner_provision(
        slug="bench-compliance",
        name="Bench Compliance",
        kind=PartnerKind.E_MOTORCYCLE_MAKER,
        country="CN",
        invite=False,
    ).partner
    with schema_context(partner.schema_name):
        models = [
            VehicleModel.objects.create(
                name=f"Bench {category} {kwh} kWh",
                category=category,
                battery_chemistry="NMC",
                battery_kwh=kwh,
                hs_code="8711.60",
            )
            for category, kwh in (("L3e", "1.80"), ("L3e", "4.32"), ("L1e", "1.44"), ("EPAC", "0.50"))
        ]
        today = datetime.date.today()
        for code, covered in (
            ("un38-3", models),
            ("eu-ta-168-2013", models[:3]),
            ("un-r136", models[:3]),
            ("ce-en15194", models[3:]),
        ):
            certificate_create(
                certificate_type=CertificateType.objects.get(code=code),
                number=f"BENCH-{code}",
                issuing_body="Bench lab",
                vehicle_models=covered,
                valid_from=today - datetime.timedelta(days=300),
                valid_to=None if code == "un38-3" else today + datetime.timedelta(days=700),
            )
        with connection.cursor() as cursor:
            cursor.execute(VEHICLE_SQL, {"models": [model.pk for model in models], "rows": VEHICLES})
            cursor.execute(HISTORY_SQL)
        shipment = Shipment.objects.create(
            reference="BENCH-10K",
            destination="HU",
            consignee_name="Danube EV Export Services Kft.",
            consignee_country="HU",
            incoterm="DAP",
            hs_code="8711.60",
            expected_arrival=today + datetime.timedelta(days=30),
            created_at=timezone.now(),
        )
        with connection.cursor() as cursor:
            cursor.execute(ITEMS_SQL, {"shipment": shipment.pk})
            cursor.execute("ANALYZE vehicles_vehicle")
            cursor.execute("ANALYZE compliance_shipmentvehicle")
            cursor.execute("ANALYZE vehicles_vehiclestatuschange")
        Shipment.objects.filter(pk=shipment.pk).update(vehicle_count=VEHICLES)
        shipment.refresh_from_db()
    return partner, shipment


def run():
    connection.set_schema_to_public()
    list_s = _screening_list()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reference_screenedparty")
    partner, shipment = _partner_and_shipment()
    print(f"{ENTRIES + 1} screening entries (keys computed) in {list_s:.1f} s; {VEHICLES} vehicles on one shipment")

    version = reference_versions()["screening"]
    cold = []
    for _ in range(3):
        index_clear()
        cold.append(_timed(lambda: index_get(version=version)))
    index = index_get(version=version)
    for name in CONSIGNEES:
        hits = index.screen(name)
        print(
            f"  {name!r}: {len(hits)} hits" + (f", best {hits[0].score:.0f} ({hits[0].matched_name})" if hits else "")
        )
    for name in CONSIGNEES:
        index.screen(name)
    screen = [_timed(lambda i=i: index.scan(CONSIGNEES[i % len(CONSIGNEES)])) for i in range(SCREEN_RUNS)]

    def read_keys():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, match_keys FROM reference_screenedparty")
            return cursor.fetchall()

    read_keys()
    screen_floor = [_timed(read_keys) for _ in range(5)]

    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment)  # warm-up

        def check_first_screening():
            index_get(version=reference_versions()["screening"]).screened_clear()
            return _timed(lambda: shipment_check(shipment=shipment))

        checks = [check_first_screening() for _ in range(CHECK_RUNS)]
        rechecks = [_timed(lambda: shipment_check(shipment=shipment)) for _ in range(CHECK_RUNS)]
        verdict = Shipment.objects.get(pk=shipment.pk).verdict

        def floor_query():
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, [shipment.pk])
                return cursor.fetchall()

        assert len(floor_query()) == VEHICLES
        floor = [_timed(floor_query) for _ in range(CHECK_RUNS * 2)]

    screen_ms = _ms(statistics.median(screen))
    check_ms = _ms(statistics.median(checks))
    recheck_ms = _ms(statistics.median(rechecks))
    floor_ms = _ms(statistics.median(floor))
    print(
        f"screening: warm median {screen_ms} ms (p max {_ms(max(screen))} ms); cold (read keys + build index) "
        f"{_ms(statistics.median(cold))} ms; floor (read the {ENTRIES} stored keys, one query) "
        f"{_ms(statistics.median(screen_floor))} ms"
    )
    print(
        f"check of {VEHICLES} vehicles: median {check_ms} ms (re-checked with the hits remembered: {recheck_ms} ms), "
        f"verdict {verdict}; floor {floor_ms} ms"
    )
    return {
        "screen_ms": screen_ms,
        "check_10k_ms": check_ms,
        "recheck_10k_ms": recheck_ms,
        "floor_ms": floor_ms,
        "ratio": round(check_ms / floor_ms, 1) if floor_ms else "n/a",
    }
