"""Market requirements get their effect (blocks, needs review, a note only), the day they are checked on (the
arrival or the shipping date) and whether one certificate per shipment is meant (SABER SCoC); then the rule rows of
issue 14, rules 3, 5 and 6 are seeded.

Rule rows: Saudi Arabia's SABER certificates, UN R155 / R156 and China's
GB 44495-2024 / GB 44496-2024 (cyber security and software updates), and the EU battery passport (a note for now).

Each row names its source; where a fact could not be checked against a public text reachable when this was written,
the row's note says so. Every created or changed row gets its history row ("+" or "~"), so verdicts that used these
versions can be rebuilt. Idempotent: a rerun (or a database where staff already added such rows) changes nothing.
"""

import datetime
from decimal import Decimal

from django.db import migrations, models
from django.utils import timezone

REASON = "seed: issue 14 rules 3, 5, 6"

# code, name, longest validity in months (None: no expiry), description
TYPES = [
    (
        "saber-pcoc",
        "SABER Product Certificate of Conformity (PCoC)",
        12,
        "Saudi Arabia: issued per product (model) through the SABER platform by a SASO-notified body; valid one year.",
    ),
    (
        "saber-scoc",
        "SABER Shipment Certificate of Conformity (SCoC)",
        None,
        "Saudi Arabia: issued through SABER for one shipment, after a valid PCoC of each product; before arrival.",
    ),
    (
        "saso-ev-model-approval",
        "SASO model approval certificate for an electric vehicle",
        None,
        "Saudi Arabia: SASO Technical Regulation for Electric Vehicles; per model, before import.",
    ),
    (
        "gb-44495-2024",
        "GB 44495-2024 vehicle cybersecurity (test report)",
        None,
        "China: Technical requirements for vehicle cybersecurity; M and N vehicles, with the vehicle announcement.",
    ),
    (
        "gb-44496-2024",
        "GB 44496-2024 software update (test report)",
        None,
        "China: General technical requirements for software update of vehicles; M and N vehicles.",
    ),
]
# Existing types whose description the sources correct.
TYPE_UPDATES = {
    "un-r155": {"name": "UN R155 cyber security approval (CSMS)"},
    "un-r156": {"name": "UN R156 software update approval (SUMS)"},
    "eu-battery-passport": {
        "description": "Regulation (EU) 2023/1542 Art. 77: each LMT battery, industrial battery above 2 kWh and "
        "electric-vehicle battery placed on the market from 2027-02-18 has an electronic battery passport."
    },
}

SABER_FROM = datetime.date(2025, 1, 1)
SABER_SOURCE = "SASO, SABER platform (Saudi Product Safety Programme, SALEEM): PCoC per product, SCoC per shipment"
SABER_NOTE = (
    "Date from SASO-notified bodies' notices (all goods through SABER with PCoC and SCoC from 2025-01-01; SCoC "
    "before arrival at port); SASO's own notice was not reachable here: check it."
)
SASO_EV_SOURCE = (
    "SASO Technical Regulation for Electric Vehicles (Board meeting No. 170, 2019-03-28; gazette 2019-05-17)"
)
SASO_EV_NOTE = (
    "Model approval before the import starts (SASO statement). Categories and the transitional provisions "
    "(Art. 10) not verified here: check them."
)
UK_SOURCE = (
    "DfT, GB type approval scheme: cyber-security and software update requirements, government response "
    "(16 September 2025)"
)
UK_NEW_TYPES_NOTE = (
    "New GB vehicle types from 2026-06-01; a type approved earlier needs it from 2027-06-01 (next row): review "
    "which applies to the model."
)
UK_ALL_NOTE = "Complete and incomplete vehicles from 2027-06-01 (completed vehicles: R155 2028-06-01, R156 2029-07-07)."
EU_R155_SOURCE = "UN Regulation No. 155; Regulation (EU) 2019/2144 (General Safety Regulation), Annex II"
EU_R156_SOURCE = "UN Regulation No. 156; Regulation (EU) 2019/2144 (General Safety Regulation), Annex II"
EU_NOTE = "New types from 2022-07-07, every new vehicle from 2024-07-07 (GSR phase 1, categories M and N)."
JP_SOURCE = "UN Regulations No. 155 / No. 156 as applied by Japan (MLIT, Road Transport Vehicle Act safety standards)"
JP_NOTE = (
    "Japan applies R155 / R156 (new types from July 2022, all from July 2024, per secondary sources): not verified "
    "against MLIT's text here, so the row only asks for a review."
)
CN_SOURCE_155 = "GB 44495-2024 Technical requirements for vehicle cybersecurity (SAMR / SAC, 2024-08-23)"
CN_SOURCE_156 = "GB 44496-2024 General technical requirements for software update of vehicles (SAMR / SAC, 2024-08-23)"
CN_NOTE = (
    "Implementation 2026-01-01 (standard's entry). Amendment No. 1 reportedly moves new models to 2026-07-01 and "
    "models in production to 2028-01-01; not verified here: check it."
)
BATTERY_SOURCE = "Regulation (EU) 2023/1542, Art. 77 (battery passport)"
BATTERY_NOTE = (
    "A note in verdicts for now: complete passports are required once the battery passport module checks them."
)
M_N = ["M1", "N1"]

# market, categories, certificate type, per shipment, checked on, effect, from, until, source, note
ROWS = [
    ("SA", [], "saber-pcoc", False, "shipping", "block", SABER_FROM, None, SABER_SOURCE, SABER_NOTE),
    ("SA", [], "saber-scoc", True, "arrival", "review", SABER_FROM, None, SABER_SOURCE, SABER_NOTE),
    (
        "SA",
        M_N,
        "saso-ev-model-approval",
        False,
        "arrival",
        "block",
        datetime.date(2019, 5, 17),
        None,
        SASO_EV_SOURCE,
        SASO_EV_NOTE,
    ),
    (
        "GB",
        M_N,
        "un-r155",
        False,
        "arrival",
        "review",
        datetime.date(2026, 6, 1),
        datetime.date(2027, 5, 31),
        UK_SOURCE,
        UK_NEW_TYPES_NOTE,
    ),
    (
        "GB",
        M_N,
        "un-r156",
        False,
        "arrival",
        "review",
        datetime.date(2026, 6, 1),
        datetime.date(2027, 5, 31),
        UK_SOURCE,
        UK_NEW_TYPES_NOTE,
    ),
    ("GB", M_N, "un-r155", False, "arrival", "block", datetime.date(2027, 6, 1), None, UK_SOURCE, UK_ALL_NOTE),
    ("GB", M_N, "un-r156", False, "arrival", "block", datetime.date(2027, 6, 1), None, UK_SOURCE, UK_ALL_NOTE),
    ("JP", M_N, "un-r155", False, "arrival", "review", datetime.date(2024, 7, 7), None, JP_SOURCE, JP_NOTE),
    ("JP", M_N, "un-r156", False, "arrival", "review", datetime.date(2024, 7, 7), None, JP_SOURCE, JP_NOTE),
    ("CN", M_N, "gb-44495-2024", False, "arrival", "block", datetime.date(2026, 1, 1), None, CN_SOURCE_155, CN_NOTE),
    ("CN", M_N, "gb-44496-2024", False, "arrival", "block", datetime.date(2026, 1, 1), None, CN_SOURCE_156, CN_NOTE),
]
# Seeded rows (0003) that these sources replace or correct: (market, certificate type) → new values.
ROW_UPDATES = {
    ("SA", "saso-coc"): {
        "effective_until": SABER_FROM - datetime.timedelta(days=1),
        "note": "Replaced by the SABER rows (PCoC per model, SCoC per shipment) from 2025-01-01.",
    },
    ("EU", "un-r155"): {"source_reference": EU_R155_SOURCE, "note": EU_NOTE},
    ("EU", "un-r156"): {"source_reference": EU_R156_SOURCE, "note": EU_NOTE},
    ("EU", "eu-battery-passport"): {
        "categories": [],
        "lithium_only": False,
        "min_battery_kwh": Decimal("0.00"),
        "effect": "note",
        "source_reference": BATTERY_SOURCE,
        "note": BATTERY_NOTE,
    },
}


def _history(apps, name, obj, kind):
    history = apps.get_model("reference", f"Historical{name}")
    kept = {field.attname for field in history._meta.concrete_fields}
    history.objects.create(
        history_date=timezone.now(),
        history_type=kind,
        history_change_reason=REASON,
        **{f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname in kept},
    )


def seed(apps, schema_editor):
    CertificateType = apps.get_model("reference", "CertificateType")
    MarketRequirement = apps.get_model("reference", "MarketRequirement")
    types = {}
    for code, name, months, description in TYPES:
        item, created = CertificateType.objects.get_or_create(
            code=code, defaults={"name": name, "max_validity_months": months, "description": description}
        )
        types[code] = item
        if created:
            _history(apps, "CertificateType", item, "+")
    for code, values in TYPE_UPDATES.items():
        item = CertificateType.objects.filter(code=code).first()
        if item is not None and any(getattr(item, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(item, key, value)
            item.save()
            _history(apps, "CertificateType", item, "~")
        if item is not None:
            types[code] = item
    for market, categories, code, per_shipment, valid_on, effect, start, until, source, note in ROWS:
        if MarketRequirement.objects.filter(market=market, certificate_type=types[code], effective_from=start).exists():
            continue
        rule = MarketRequirement.objects.create(
            market=market,
            categories=categories,
            certificate_type=types[code],
            per_shipment=per_shipment,
            valid_on=valid_on,
            effect=effect,
            effective_from=start,
            effective_until=until,
            source_reference=source,
            note=note,
        )
        _history(apps, "MarketRequirement", rule, "+")
    for (market, code), values in ROW_UPDATES.items():
        item = types.get(code) or CertificateType.objects.filter(code=code).first()
        if item is None:
            continue
        for rule in MarketRequirement.objects.filter(market=market, certificate_type=item):
            if rule.source_reference == values.get("source_reference") or rule.note == values.get("note"):
                continue  # already changed (a rerun, or staff did it)
            for key, value in values.items():
                setattr(rule, key, value)
            rule.save()
            _history(apps, "MarketRequirement", rule, "~")


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0008_import_duties_and_undertakings"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmarketrequirement",
            name="effect",
            field=models.CharField(
                choices=[
                    ("block", "Blocks without a valid certificate"),
                    ("review", "Needs review without a valid certificate"),
                    ("note", "A note only (not enforced yet)"),
                ],
                default="block",
                max_length=8,
                verbose_name="effect",
            ),
        ),
        migrations.AddField(
            model_name="historicalmarketrequirement",
            name="per_shipment",
            field=models.BooleanField(
                default=False,
                help_text="A certificate issued for each shipment (e.g. SABER SCoC), attached to the shipment.",
                verbose_name="one per shipment",
            ),
        ),
        migrations.AddField(
            model_name="historicalmarketrequirement",
            name="valid_on",
            field=models.CharField(
                choices=[("arrival", "the expected arrival"), ("shipping", "the shipping date")],
                default="arrival",
                max_length=8,
                verbose_name="checked on",
            ),
        ),
        migrations.AddField(
            model_name="marketrequirement",
            name="effect",
            field=models.CharField(
                choices=[
                    ("block", "Blocks without a valid certificate"),
                    ("review", "Needs review without a valid certificate"),
                    ("note", "A note only (not enforced yet)"),
                ],
                default="block",
                max_length=8,
                verbose_name="effect",
            ),
        ),
        migrations.AddField(
            model_name="marketrequirement",
            name="per_shipment",
            field=models.BooleanField(
                default=False,
                help_text="A certificate issued for each shipment (e.g. SABER SCoC), attached to the shipment.",
                verbose_name="one per shipment",
            ),
        ),
        migrations.AddField(
            model_name="marketrequirement",
            name="valid_on",
            field=models.CharField(
                choices=[("arrival", "the expected arrival"), ("shipping", "the shipping date")],
                default="arrival",
                max_length=8,
                verbose_name="checked on",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
