"""The starting rule table of the product brief (shared/PRODUCT.md, "Export compliance").

Facts to check against their sources before relying on them in production; staff keep them in the admin.
Each seeded row also gets its first history row, so a verdict that used these versions can be rebuilt.
"""

import datetime
from decimal import Decimal

from django.db import migrations

from portal.reference.seeding import history_record

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
BLOCS = [
    ("EU", "European Union", EU),
    ("GCC", "Gulf Cooperation Council", "SA AE KW QA BH OM".split()),
    ("ASEAN", "Association of Southeast Asian Nations", "BN KH ID LA MY MM PH SG TH VN".split()),
]
# code, name, longest validity in months (None: no expiry), description
TYPES = [
    ("un38-3", "UN 38.3 test summary", None, "Lithium cells and packs, for transport; a design change needs a re-test."),
    ("ce-en15194", "CE marking, EN 15194", None, "Pedal-assist e-bikes (EPAC, ≤ 250 W, assistance cut at 25 km/h)."),
    ("eu-ta-168-2013", "EU type approval, Regulation (EU) 168/2013", None, "L-category vehicles."),
    ("un-r136", "UN R136 approval", None, "Electric powertrain of L-category vehicles."),
    ("eu-wvta-2018-858", "EU whole-vehicle type approval, Regulation (EU) 2018/858", None, "M1 / N1 vehicles."),
    ("un-r100", "UN R100 approval", None, "Electric powertrain safety of M / N vehicles."),
    ("un-r155", "UN R155 cyber-security certificate", 36, "Cyber-security management system; valid at most 3 years."),
    ("un-r156", "UN R156 software-update approval", None, "Software update management system."),
    ("eu-battery-passport", "Battery passport, Regulation (EU) 2023/1542", None, "LMT and EV batteries above 2 kWh."),
    ("cpsc-16-cfr-1512", "CPSC 16 CFR 1512 compliance", None, "Low-speed electric bicycles, United States."),
    ("ul-2849", "UL 2849 certification", None, "E-bike electrical systems; expected by US retailers (not a law)."),
    ("fmvss-hs7", "FMVSS self-certification and HS-7 declaration", None, "49 CFR 565 / 566 / 551; US motorcycles."),
    ("ais-156", "AIS-156 approval", None, "India, L-category electric powertrain."),
    ("ais-038-rev2", "AIS-038 Rev 2 approval", None, "India, M / N electric powertrain."),
    ("saso-coc", "SASO certificate of conformity", None, "Saudi Arabia, per model, before import."),
]
L_CATEGORIES = ["L1e", "L2e", "L3e", "L4e", "L5e", "L6e", "L7e"]
START = datetime.date(2020, 1, 1)  # "in force" where the brief gives no date; staff confirm it against the source
# market, categories, lithium only, battery above kWh, certificate type, effective from, source
RULES = [
    ("*", [], True, None, "un38-3", START, "UN Manual of Tests and Criteria, part III, 38.3"),
    ("EU", ["EPAC"], False, None, "ce-en15194", START, "EN 15194; CE marking"),
    ("EU", L_CATEGORIES, False, None, "eu-ta-168-2013", datetime.date(2016, 1, 1), "Regulation (EU) 168/2013"),
    ("EU", L_CATEGORIES, False, None, "un-r136", START, "UN Regulation No. 136"),
    ("EU", ["M1", "N1"], False, None, "eu-wvta-2018-858", datetime.date(2020, 9, 1), "Regulation (EU) 2018/858"),
    ("EU", ["M1", "N1"], False, None, "un-r100", START, "UN Regulation No. 100"),
    ("EU", ["M1", "N1"], False, None, "un-r155", datetime.date(2024, 7, 7), "UN Regulation No. 155"),
    ("EU", ["M1", "N1"], False, None, "un-r156", datetime.date(2024, 7, 7), "UN Regulation No. 156"),
    ("EU", [], True, Decimal("2.00"), "eu-battery-passport", datetime.date(2027, 2, 18), "Regulation (EU) 2023/1542"),
    ("US", ["EPAC"], False, None, "cpsc-16-cfr-1512", START, "16 CFR 1512"),
    ("US", L_CATEGORIES, False, None, "fmvss-hs7", START, "49 CFR 565 / 566 / 551; CBP form HS-7"),
    ("IN", L_CATEGORIES, False, None, "ais-156", START, "AIS-156"),
    ("IN", ["M1", "N1"], False, None, "ais-038-rev2", START, "AIS-038 Rev 2"),
    ("SA", [], False, None, "saso-coc", START, "SASO conformity assessment (SALEEM)"),
]
REASON = "seed: starting rule table"
NOTE = "Starting table of the product brief: check against the source before relying on it."


def seed(apps, schema_editor):
    MarketBloc = apps.get_model("reference", "MarketBloc")
    CertificateType = apps.get_model("reference", "CertificateType")
    MarketRequirement = apps.get_model("reference", "MarketRequirement")
    for code, name, members in BLOCS:
        bloc, created = MarketBloc.objects.get_or_create(code=code, defaults={"name": name, "countries": sorted(members)})
        if created:
            history_record(apps, bloc, reason=REASON)
    types = {}
    for code, name, months, description in TYPES:
        item, created = CertificateType.objects.get_or_create(
            code=code, defaults={"name": name, "max_validity_months": months, "description": description}
        )
        types[code] = item
        if created:
            history_record(apps, item, reason=REASON)
    if MarketRequirement.objects.exists():
        return
    for market, categories, lithium, kwh, type_code, start, source in RULES:
        rule = MarketRequirement.objects.create(
            market=market,
            categories=categories,
            lithium_only=lithium,
            min_battery_kwh=kwh,
            certificate_type=types[type_code],
            effective_from=start,
            source_reference=source,
            note=NOTE,
        )
        history_record(apps, rule, reason=REASON)


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_compliance_rule_tables")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
