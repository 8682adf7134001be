"""Demo export compliance: a fictional screening list, an embargo, and cq-thunder's certificates and shipments.

Every verdict shows up: cleared, needs review (no rules on file for Thailand; a near-hit on the screening list,
released by the compliance officer), blocked (a screened consignee written in Chinese; an expired certificate
and one that expires before arrival; a hit on the list whose release waits for a second officer), and one
shipment already shipped. The compliance officers are the manager (manager@cq-thunder.example, as the README
says) and the member (member@…, the second pair of eyes); the owner is not one, so the owner's page names them.
Dates are relative to today.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.reference.models import CertificateType, Embargo, EmbargoSeverity, ScreenedParty, ScreeningList
from portal.vehicles.choices import VehicleStatus
from portal.vehicles.models import Vehicle, VehicleModel, VehicleStatusChange
from tenants.models import Membership

from . import offset_demo
from .models import Certificate, Shipment
from .services.certificates import certificate_create
from .services.releases import shipment_release, shipment_ship
from .services.shipments import shipment_create, shipment_vehicles_add

DEMO_LIST = "Demo restricted-party list (fictional)"
OFFICER_ROLES = ("manager", "member")  # the manager first: the demo's releases are theirs
# name, aliases, country, address
DEMO_PARTIES = [
    (
        "Jinlong Shiye Maoyi Co., Ltd.",
        ["金龙实业贸易有限公司", "Golden Dragon Industrial Trading"],
        "CN",
        "88 Fictional Rd, Shenzhen",
    ),
    ("Kestrel Star General Trading LLC", ["Kestrel Star Trading FZE"], "AE", "Plot 12, Fictional Free Zone, Dubai"),
    ("Al Gulf EV Trading Co.", ["شركة الخليج للسيارات الكهربائية"], "AE", "Fictional Tower, Sharjah"),
    ("Nordlicht Mobility Handels GmbH", [], "DE", "Erfundene Str. 5, Bremen"),
    ("Volga Moto Parts OOO", ["Волга Мото Запчасти"], "RU", "Vymyshlennaya ul. 3, Samara"),
]
FILLER = 200  # more fictional entries, so the list is not trivially short
# A one-page PDF, enough for a demo document (the vault sniffs the bytes, not the name).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# reference, vehicles (model, how many), destination, consignee, address, consignee country, Incoterm, arrival in days
DANUBE = ("Danube EV Export Services Kft.", "Váci út 1, Budapest")
SHIPMENTS = [
    # Cleared, then shipped.
    (
        "DEMO-EU-0001",
        [("Thunder T3 Pro", 5)],
        "HU",
        "Danube EV Export Services Kft.",
        "Váci út 1, Budapest",
        "HU",
        "DAP",
        10,
    ),
    # Cleared.
    (
        "DEMO-EU-0002",
        [("Thunder T3 Pro", 12)],
        "HU",
        "Danube EV Export Services Kft.",
        "Váci út 1, Budapest",
        "HU",
        "DAP",
        30,
    ),
    # Needs review: no market rules on file for Thailand.
    ("DEMO-TH-0001", [("Thunder S1 City", 6)], "TH", "Siam E-Bike Works", "Rama IV Rd, Bangkok", "TH", "CIF", 40),
    # Needs review: a near hit on the screening list in another country; released by the compliance officer.
    ("DEMO-SA-0001", [("Thunder S1 City", 8)], "SA", "Gulf EV Trading LLC", "King Fahd Rd, Riyadh", "SA", "CIF", 45),
    # Blocked: the consignee, written in Chinese, is on the screening list.
    (
        "DEMO-AE-0001",
        [("Thunder T5 Sport", 4)],
        "AE",
        "金龙实业贸易有限公司",
        "Jebel Ali Free Zone, Dubai",
        "CN",
        "FOB",
        35,
    ),
    # Blocked: a restricted-party hit at or above the block score; the manager asked for a release (four-eyes),
    # which waits for the second officer.
    (
        "DEMO-AE-0002",
        [("Thunder S1 City", 3)],
        "AE",
        "Kestrel Star General Trading LLC",
        "Al Quoz Industrial Area 3, Dubai",
        "AE",
        "CIF",
        50,
    ),
    # Blocked: an expired certificate, and one that expires before the arrival.
    (
        "DEMO-EU-0003",
        [("Thunder E-Bike 250", 6), ("Thunder T5 Sport", 3)],
        "DE",
        "Nordwind Zweirad GmbH",
        "Hafenstraße 9, Hamburg",
        "DE",
        "DAP",
        60,
    ),
]
FOUR_EYES_REASON = (
    "Same name, different company: trade licence 771203 (Dubai DED) and owners checked, no link to the listed "
    "Kestrel Star General Trading LLC of the free zone."
)
RELEASE_REASON = (
    "Known importer, partner of the alliance; the listed Sharjah company is a different entity "
    "(checked registry extract 2026-03)."
)


DEMO_OWNERSHIP_SOURCE = "Demo ownership register"


def _seed_screening_extras() -> None:
    """Each demo list's source and last update (both fresh: a stale one would add a note to every demo check),
    and a company that is not listed itself but owned 60 % by listed parties."""
    today = timezone.localdate()
    ScreeningList.objects.get_or_create(
        name=DEMO_LIST, defaults={"publisher": "Alliance demo", "updated_on": today, "refresh_days": 7}
    )
    ScreeningList.objects.get_or_create(
        name=DEMO_OWNERSHIP_SOURCE,
        defaults={"publisher": "Alliance demo", "updated_on": today - datetime.timedelta(days=3), "refresh_days": 30},
    )
    ScreenedParty.objects.get_or_create(
        name="Gulf Star Vehicle Holdings FZE",
        list_source=DEMO_OWNERSHIP_SOURCE,
        defaults={
            "country": "AE",
            "listed": False,
            "owners": [
                {"name": "Kestrel Star General Trading LLC", "share": 35},
                {"name": "Al Gulf EV Trading Co.", "share": 25},
                {"name": "Gulf Star Family Office", "share": 40},
            ],
        },
    )


def _seed_list(stdout) -> None:
    if ScreenedParty.objects.filter(list_source=DEMO_LIST).exists():
        return
    for name, aliases, country, address in DEMO_PARTIES:
        ScreenedParty.objects.create(
            name=name, aliases=aliases, country=country, address=address, list_source=DEMO_LIST
        )
    for number in range(1, FILLER + 1):
        ScreenedParty.objects.create(
            name=f"Fictional Entity {number:03d} Holdings",
            country="",
            list_source=DEMO_LIST,
            source_id=f"F{number:03d}",
        )
    _seed_screening_extras()
    if not Embargo.objects.exists():
        Embargo.objects.create(
            country="KP",
            severity=EmbargoSeverity.FULL,
            effective_from=datetime.date(2017, 12, 22),
            source_reference="UN Security Council resolution 2397 (2017): transport vehicles",
            note="Demo entry: check against the source.",
        )
    stdout.write(f"Screening list: {len(DEMO_PARTIES) + FILLER} demo entries; 1 embargo.")


def _certificate(code, number, body, models, valid_from, valid_to, user, rxswins=()):
    certificate_type = CertificateType.objects.get(code=code)
    return certificate_create(
        certificate_type=certificate_type,
        number=number,
        issuing_body=body,
        vehicle_models=models,
        valid_from=valid_from,
        valid_to=valid_to,
        file=ContentFile(PDF, name=f"{number}.pdf"),
        rxswins=rxswins,
        user=user,
    )


def _free_vehicles(model, count: int, **filters) -> list[str]:
    exported = VehicleStatusChange.objects.filter(vehicle=OuterRef("pk"), to_status=VehicleStatus.EXPORTED)
    free = (
        Vehicle.objects.filter(model=model, status__in=[VehicleStatus.PRODUCED, VehicleStatus.REGISTERED], **filters)
        .exclude(Exists(exported))
        .exclude(shipment_items__isnull=False)
        .order_by("vin")
    )
    return list(free.values_list("vin", flat=True)[:count])


def _shipment(reference, user, vins, **fields):
    shipment = shipment_create(reference=reference, user=user, **fields)
    if vins:
        shipment_vehicles_add(shipment=shipment, vins=vins, user=user)
    shipment.refresh_from_db()
    return shipment


def _officers(partner) -> list[Membership]:
    """The manager, then the member, are the compliance officers (as the README says); nobody else is."""
    memberships = {m.role: m for m in Membership.objects.filter(partner=partner).select_related("user")}
    officers = [memberships[role] for role in OFFICER_ROLES if role in memberships]
    Membership.objects.filter(partner=partner).exclude(pk__in=[m.pk for m in officers]).update(
        is_compliance_officer=False
    )
    Membership.objects.filter(pk__in=[m.pk for m in officers]).update(is_compliance_officer=True)
    for membership in officers:
        membership.is_compliance_officer = True
    return officers


def _seed_thunder(partner, stdout) -> None:
    with schema_context(partner.schema_name), transaction.atomic():
        _officers(partner)
        if Shipment.objects.filter(reference__startswith="DEMO-").exists():
            stdout.write("cq-thunder: compliance demo already seeded.")
            return
        models = {model.name: model for model in VehicleModel.objects.all()}
        if len(models) < 4:
            stdout.write("cq-thunder: vehicle models missing; compliance demo skipped.")
            return
        officers = _officers(partner)
        if not officers:
            stdout.write("cq-thunder: nobody to act as compliance officer; compliance demo skipped.")
            return
        officer = officers[0]
        user = officer.user
        today = timezone.localdate()
        years = lambda n: today + datetime.timedelta(days=365 * n)  # noqa: E731
        t3, t5, s1, bike = (
            models[name] for name in ("Thunder T3 Pro", "Thunder T5 Sport", "Thunder S1 City", "Thunder E-Bike 250")
        )
        start = datetime.date(2023, 1, 10)
        _certificate("un38-3", "UN383-CQT-2023-001", "CQ Battery Test Centre", [t3, t5, s1, bike], start, None, user)
        _certificate(
            "eu-ta-168-2013",
            "e9*168/2013*00412",
            "Spanish type-approval authority (e9)",
            [t3, t5, s1],
            start,
            years(3),
            user,
        )
        _certificate(
            "un-r136", "E9-136R-00087", "Spanish type-approval authority (e9)", [t3, s1], start, years(2), user
        )
        # Expires in 20 days: warned now, and a later arrival is blocked.
        _certificate(
            "un-r136",
            "E9-136R-00091",
            "Spanish type-approval authority (e9)",
            [t5],
            start,
            today + datetime.timedelta(days=20),
            user,
        )
        # Expired 40 days ago.
        _certificate(
            "ce-en15194",
            "EN15194-CQT-0007",
            "TÜV test house (demo)",
            [bike],
            start,
            today - datetime.timedelta(days=40),
            user,
        )
        # Saudi Arabia (SABER): a PCoC per model, about a year; each Saudi shipment carries its SCoC.
        pcoc_from = today - datetime.timedelta(days=30)
        pcoc_to = pcoc_from + datetime.timedelta(days=364)
        _certificate("saber-pcoc", "PC-2026-118734", "SASO-notified body (demo)", [s1, t3], pcoc_from, pcoc_to, user)

        shipments = {}
        for reference, vehicles, destination, consignee, address, country, incoterm, arrival in SHIPMENTS:
            vins = [vin for name, count in vehicles for vin in _free_vehicles(models[name], count)]
            shipments[reference] = _shipment(
                reference,
                user,
                vins,
                destination=destination,
                consignee_name=consignee,
                consignee_address=address,
                consignee_country=country,
                incoterm=incoterm,
                hs_code="8711.60",
                expected_arrival=today + datetime.timedelta(days=arrival),
                shipment_certificate=f"SC-{reference}" if destination == "SA" else "",
            )
        shipment_ship(shipment=shipments["DEMO-EU-0001"], user=user)
        shipment_release(shipment=shipments["DEMO-SA-0001"], membership=officer, user=user, reason=RELEASE_REASON)
        shipment_release(shipment=shipments["DEMO-AE-0002"], membership=officer, user=user, reason=FOUR_EYES_REASON)
        verdicts = dict(Shipment.objects.values_list("reference", "verdict"))
        stdout.write(f"cq-thunder: {Certificate.objects.count()} certificates, shipments {verdicts}.")


# Other demo makers export too, so the alliance's statistics of shipments and certificates have enough
# contributors to be disclosed (a cell needs three partners): each gets a UN 38.3 summary, a SASO certificate that
# expires at the end of this month, a shipment to the Philippines (no market rules on file: needs review, released
# by the owner as compliance officer, then shipped) and one to Germany (no EU approvals on file: blocked).
MAKERS = ("cq-lingyun", "wuxi-swiftride", "taizhou-hengtong", "ister-emobility", "siam-ebike")
# A few makers' EU shipments also meet a certificate problem cq-thunder has too, so that no blocking reason is
# one partner's alone and the statistics can show the common ones (the hidden ones together stay safe).
# slug → a third shipment (destination, consignee, address, arrival in days, certificate type that expired)
MAKER_EXTRA = {
    # The SABER PCoC expires at the end of this month, before the shipping date (SABER checks it then).
    "siam-ebike": ("SA", "Gulf EV Trading LLC", "King Fahd Rd, Riyadh", 60, None),
    # The US e-bike compliance expired last month.
    "ister-emobility": ("US", "Pacific E-Cargo Inc.", "Harbor Blvd 200, Long Beach", 30, "cpsc-16-cfr-1512"),
}
SINCE = datetime.date(2025, 6, 1)
EXPIRED = lambda today: today - datetime.timedelta(days=30)  # noqa: E731
MAKER_RELEASE_REASON = (
    "Philippine LTO import rules checked by our broker; the UN 38.3 summary covers the batteries for transport."
)


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _seed_maker(partner, slug: str, stdout) -> None:
    with schema_context(partner.schema_name), transaction.atomic():
        if Shipment.objects.filter(reference__startswith="DEMO-").exists():
            return
        models = list(VehicleModel.objects.order_by("name"))
        owner = Membership.objects.filter(partner=partner, role="owner").select_related("user").first()
        if not models or owner is None:
            stdout.write(f"{slug}: vehicle models or owner missing; compliance demo skipped.")
            return
        Membership.objects.filter(pk=owner.pk).update(is_compliance_officer=True)
        owner.is_compliance_officer = True
        user = owner.user
        today = timezone.localdate()
        code = slug.upper().replace("-", "")[:8]
        _certificate(
            "un38-3", f"UN383-{code}-001", "Battery test centre (demo)", models, today.replace(day=1), None, user
        )
        month_end = _month_end(today)
        pcoc_from = month_end - datetime.timedelta(days=364)
        _certificate("saber-pcoc", f"PC-{code}", "SASO-notified body (demo)", models, pcoc_from, month_end, user)
        model = models[0]
        shipments = [
            (f"DEMO-PH-{code}", "PH", "Manila E-Mobility Imports Inc.", "Roxas Blvd 100, Manila", 30),
            (f"DEMO-DE-{code}", "DE", "Nordwind Zweirad GmbH", "Hafenstraße 9, Hamburg", 45),
        ]
        if slug in MAKER_EXTRA:
            destination, consignee, address, arrival, expired = MAKER_EXTRA[slug]
            if expired:
                _certificate(
                    expired, f"{expired.upper()}-{code}", "Test house (demo)", models, SINCE, EXPIRED(today), user
                )
            shipments.append((f"DEMO-{destination}-{code}", destination, consignee, address, arrival))
        for reference, destination, consignee, address, arrival in shipments:
            saudi = {"ships_on": today + datetime.timedelta(days=35), "shipment_certificate": f"SC-{code}"}
            _shipment(
                reference,
                user,
                _free_vehicles(model, 4),
                destination=destination,
                consignee_name=consignee,
                consignee_address=address,
                consignee_country=destination,
                incoterm="CIF",
                hs_code=model.hs_code,
                expected_arrival=today + datetime.timedelta(days=arrival),
                **(saudi if destination == "SA" else {}),
            )
        released = Shipment.objects.get(reference=f"DEMO-PH-{code}")
        shipment_release(shipment=released, membership=owner, user=user, reason=MAKER_RELEASE_REASON)
        shipment_ship(shipment=released, user=user)
        verdicts = dict(Shipment.objects.values_list("reference", "verdict"))
        stdout.write(f"{slug}: shipments {verdicts}.")


# China's export licence for pure-electric passenger vehicles (reference.ExportLicenceRule "cn-bev-export-licence"):
# Taizhou Hengtong's passenger rickshaw is declared under 8703.80.10.90. It holds the rickshaw's CCC and MIIT
# catalogue listing, a licence for Saudi Arabia and the UAE and an after-sales outlet in Riyadh. One shipment to
# Riyadh is cleared; one carries rickshaws registered weeks ago (used vehicles) without the after-sales
# confirmation letter (blocked); one goes to Jordan, which the licence does not cover (blocked) and where no outlet
# is listed (review). Its cargo trikes go to Germany (HS 8711 is outside the rule: the verdict says so).
EV_MAKER = "taizhou-hengtong"
EV_MODEL = "Hengtong Rickshaw 6"
EV_HS = "8703.80.10.90"
EV_SHIPMENTS = [
    # reference, destination, consignee, address, used vehicles
    ("DEMO-EV-0001", "SA", "Riyadh Green Mobility Co.", "Olaya St 45, Riyadh", False),
    ("DEMO-EV-0002", "SA", "Jeddah Taxi Fleet Est.", "Al Madinah Rd 210, Jeddah", True),
    ("DEMO-EV-0003", "JO", "Amman Clean Transport LLC", "Mecca St 17, Amman", False),
]
# EU import duties (reference.ImportDutyRate): rickshaws to Hamburg at EUR 9,800 each: customs 10 % on the invoice
# value; the countervailing duty on battery-electric cars (Regulation (EU) 2024/2754) leaves L-category vehicles out.
EV_EU_SHIPMENT = ("DEMO-EV-0004", "DE", "Hanse Rikscha Touren GmbH", "Speicherstadt 3, Hamburg")
EV_EU_PRICE = Decimal("9800.00")
# Saudi Arabia's SABER (market requirements saber-pcoc, saber-scoc): the rickshaw's PCoC is valid, so the Riyadh
# shipments above carry their SCoC and pass; this one has no SCoC yet and needs review until it is attached.
EV_SABER_SHIPMENT = ("DEMO-EV-0005", "SA", "Dammam Eco Rides Co.", "Prince Mohammed Rd 8, Dammam")
# UN R155 / R156 (market requirements un-r155, un-r156 for M1 / N1): Taizhou Hengtong's small city car goes to the
# UK with its R155 approval but no R156 approval yet: the UK asks new types for both from 2026-06-01 (a review until
# 2027-06-01, then it blocks; the verdict announces that too). The licence covers the UK, an outlet is listed there.
EV_CAR = ("Hengtong City EV", "M1", "LFP", "29.50", 260, ["4G", "GNSS", "OTA"], "8703.80", "HCE10")
EV_CYBER_SHIPMENT = ("DEMO-EV-0006", "GB", "Thames City Cars Ltd", "Dockside Rd 4, London")
# RXSWIN per vehicle (UN R156): the long-range city car has both approvals; its R156 approval lists the software
# versions 3.1.0 and 3.2.0, and one of the three cars still runs 2.9.4: the UK shipment needs a review of that car.
EV_CAR_LR = ("Hengtong City EV Long Range", "M1", "LFP", "38.00", 340, ["4G", "GNSS", "OTA"], "8703.80", "HCL10")
EV_RXSWINS = ("R156-HT-CITY-LR-3.1.0", "R156-HT-CITY-LR-3.2.0")
EV_RXSWIN_OLD = "R156-HT-CITY-LR-2.9.4"
EV_RXSWIN_SHIPMENT = ("DEMO-EV-0007", "GB", "Kentish EV Traders Ltd", "Harbour St 12, Dover")


def _seed_ev_licence(partner, stdout) -> None:
    from .models import AfterSalesOutlet, ExportLicence

    with schema_context(partner.schema_name), transaction.atomic():
        if Shipment.objects.filter(reference__startswith="DEMO-EV-").exists():
            return
        model = VehicleModel.objects.filter(name=EV_MODEL).first()
        owner = Membership.objects.filter(partner=partner, role="owner").select_related("user").first()
        if model is None or owner is None:
            stdout.write(f"{partner.schema_name}: {EV_MODEL} or owner missing; export licence demo skipped.")
            return
        user = owner.user
        today = timezone.localdate()
        year = today + datetime.timedelta(days=365)
        since = datetime.date(2025, 6, 1)
        _certificate("ccc", "2025011101234567", "China Quality Certification Centre (demo)", [model], since, year, user)
        _certificate("miit-catalogue", "MIIT-2025-392-0871", "MIIT (demo)", [model], since, None, user)
        pcoc_from = today - datetime.timedelta(days=60)
        pcoc_to = pcoc_from + datetime.timedelta(days=364)
        _certificate("saber-pcoc", "PC-2026-HT6-0042", "SASO-notified body (demo)", [model], pcoc_from, pcoc_to, user)
        ExportLicence.objects.create(
            number="EL-2026-3310-00417",
            issued_by="MOFCOM licensing bureau (demo)",
            hs_codes=[EV_HS],
            destinations=["SA", "AE", "GB"],
            valid_from=datetime.date(today.year, 1, 1),
            valid_to=datetime.date(today.year, 12, 31),
            note="Demo licence.",
        )
        AfterSalesOutlet.objects.create(
            country="SA", name="Hengtong Service Riyadh (demo)", address="Exit 18, Riyadh", contact="+966 11 000 0000"
        )
        AfterSalesOutlet.objects.create(
            country="GB", name="Hengtong Service London (demo)", address="Dockside Rd 6, London", contact="+44 20 0000"
        )
        recent = {"registration_date__gte": today - datetime.timedelta(days=150)}
        for reference, destination, consignee, address, used in EV_SHIPMENTS:
            vins = _free_vehicles(model, 2, **recent) if used else _free_vehicles(model, 3, registration_date=None)
            _shipment(
                reference,
                user,
                vins,
                destination=destination,
                consignee_name=consignee,
                consignee_address=address,
                consignee_country=destination,
                incoterm="CIF",
                hs_code=EV_HS,
                expected_arrival=today + datetime.timedelta(days=40),
                shipment_certificate=f"SC-2026-{reference[-4:]}" if destination == "SA" else "",
            )
        reference, destination, consignee, address = EV_SABER_SHIPMENT
        _shipment(
            reference,
            user,
            _free_vehicles(model, 2, registration_date=None),
            destination=destination,
            consignee_name=consignee,
            consignee_address=address,
            consignee_country=destination,
            incoterm="CIF",
            hs_code=EV_HS,
            expected_arrival=today + datetime.timedelta(days=50),
        )
        _seed_ev_cyber(partner, user, today)
        _seed_ev_rxswin(partner, user, today)
        reference, destination, consignee, address = EV_EU_SHIPMENT
        _shipment(
            reference,
            user,
            _free_vehicles(model, 3, registration_date=None),
            destination=destination,
            consignee_name=consignee,
            consignee_address=address,
            consignee_country=destination,
            incoterm="CIF",
            hs_code=EV_HS,
            expected_arrival=today + datetime.timedelta(days=45),
            invoice_price=EV_EU_PRICE,
        )
        verdicts = dict(Shipment.objects.filter(reference__startswith="DEMO-EV-").values_list("reference", "verdict"))
        stdout.write(f"{partner.schema_name}: export licence shipments {verdicts}.")


def _seed_ev_cyber(partner, user, today) -> None:
    """Taizhou Hengtong's city car (an M1 model, three cars) with its CCC, catalogue listing, UN 38.3 and R155
    approval, shipped to the UK without an R156 approval (DEMO-EV-0006)."""
    _seed_uk_city_car(
        partner,
        user,
        today,
        EV_CAR,
        cars=[(serial, "") for serial in range(990001, 990004)],
        made_days_ago=20,
        since=datetime.date(2025, 9, 1),
        numbers=("2025011101239876", "MIIT-2025-399-0112", "UN383-HT-CITY-01", "E11-155R-000231"),
        shipment=EV_CYBER_SHIPMENT,
    )


def _seed_ev_rxswin(partner, user, today) -> None:
    """Taizhou Hengtong's long-range city car (three cars with their RXSWINs) with every approval the UK asks,
    its R156 approval listing the RXSWINs it covers; one car's older software is not among them (DEMO-EV-0007)."""
    rxswins = (EV_RXSWINS[1], EV_RXSWINS[1], EV_RXSWIN_OLD)
    _seed_uk_city_car(
        partner,
        user,
        today,
        EV_CAR_LR,
        cars=list(zip(range(990101, 990104), rxswins, strict=True)),
        made_days_ago=25,
        since=datetime.date(2025, 10, 1),
        numbers=("2025011101241120", "MIIT-2025-401-0347", "UN383-HT-CITY-LR-01", "E11-155R-000318"),
        shipment=EV_RXSWIN_SHIPMENT,
        r156=("E11-156R-000144", EV_RXSWINS),
    )


def _seed_uk_city_car(partner, user, today, spec, *, cars, made_days_ago, since, numbers, shipment, r156=None):
    """One of Taizhou Hengtong's city cars registered as (serial, RXSWIN) pairs, its CCC, catalogue listing, UN 38.3
    and R155 approval (and R156 when given as (number, RXSWINs)), and a UK shipment of three of them."""
    from portal.vehicles.demo import demo_vin, models_ensure
    from portal.vehicles.services import vehicle_register

    [(car, vds)] = models_ensure([spec])
    made = today - datetime.timedelta(days=made_days_ago)
    for serial, rxswin in cars:
        vin = demo_vin("LHT", vds, made.year, "A", serial)
        if not Vehicle.objects.filter(vin=vin).exists():
            vehicle_register(
                partner=partner, vin=vin, model=car, production_date=made, market="CN", user=user, rxswin=rxswin
            )
    ccc, catalogue, un38_3, r155 = numbers
    year = today + datetime.timedelta(days=365)
    vca = "UK type-approval authority VCA (demo)"
    _certificate("ccc", ccc, "China Quality Certification Centre (demo)", [car], since, year, user)
    _certificate("miit-catalogue", catalogue, "MIIT (demo)", [car], since, None, user)
    _certificate("un38-3", un38_3, "Battery test centre (demo)", [car], since, None, user)
    _certificate("un-r155", r155, vca, [car], since, since + datetime.timedelta(days=3 * 365), user)
    if r156:
        number, rxswins = r156
        _certificate("un-r156", number, vca, [car], since, None, user, rxswins=rxswins)
    reference, destination, consignee, address = shipment
    _shipment(
        reference,
        user,
        _free_vehicles(car, 3),
        destination=destination,
        consignee_name=consignee,
        consignee_address=address,
        consignee_country=destination,
        incoterm="CIF",
        hs_code=EV_HS,
        expected_arrival=today + datetime.timedelta(days=35),
    )


PASSPORT_SHIPMENT = "DEMO-EU-0007"
PASSPORT_MODEL = "CQT-P43-EU"
# What the demo passports lack (so the shipment page has something to list).
PASSPORT_LEFT_OUT = (
    "battery_carbon_footprint_per_functional_unit",
    "carbon_footprint_performance_class",
    "battery_mass",
)


def _seed_passports(partner, stdout) -> None:
    """An EU shipment of three Thunder T3 Pro whose batteries are recorded, two with incomplete passports: the EU
    battery passport rule (issue 15) blocks it, and its page lists what each battery lacks. Idempotent."""
    from portal.batteries.choices import BatteryCategory, Behaviour
    from portal.batteries.models import Battery, BatteryModel
    from portal.batteries.registry.models import PassportAttribute
    from portal.batteries.services import battery_create, battery_model_create

    with schema_context(partner.schema_name), transaction.atomic():
        if Shipment.objects.filter(reference=PASSPORT_SHIPMENT).exists():
            return
        t3 = VehicleModel.objects.filter(name="Thunder T3 Pro").first()
        officers = _officers(partner)
        vins = _free_vehicles(t3, 3) if t3 else []
        if len(vins) < 3 or not officers:
            stdout.write("cq-thunder: no free Thunder T3 Pro or no officer; battery passport shipment skipped.")
            return
        codes = list(
            PassportAttribute.objects.filter(behaviour=Behaviour.STATIC, mandatory_for__contains=[BatteryCategory.LMT])
            .exclude(code__in=PASSPORT_LEFT_OUT)
            .values_list("code", flat=True)
        )
        model = BatteryModel.objects.filter(code=PASSPORT_MODEL).first() or battery_model_create(
            code=PASSPORT_MODEL,
            name="Thunder pack 4.3 kWh (EU)",
            category=BatteryCategory.LMT,
            chemistry="NMC",
            values=dict.fromkeys(codes, "See the technical documentation"),
        )
        for number, vin in enumerate(vins, start=1):
            identifier = f"CQT0P43EU-{number:06d}"
            if Battery.objects.filter(identifier=identifier).exists():
                continue
            # The first battery's passport is complete; the other two lack the carbon footprint and the mass.
            filled = dict.fromkeys(PASSPORT_LEFT_OUT, "See the carbon footprint declaration") if number == 1 else {}
            battery_create(
                partner=partner,
                identifier=identifier,
                battery_model=model,
                values=filled,
                vin=vin,
                fitted_on=datetime.date(2026, 11, 2),
            )
        shipment = _shipment(
            PASSPORT_SHIPMENT,
            officers[0].user,
            vins,
            destination="HU",
            consignee_name="Danube EV Export Services Kft.",
            consignee_address="Váci út 1, Budapest",
            consignee_country="HU",
            incoterm="DAP",
            hs_code="8711.60",
            expected_arrival=timezone.localdate() + datetime.timedelta(days=100),
        )
        stdout.write(f"cq-thunder: {PASSPORT_SHIPMENT} with recorded batteries: {shipment.verdict}.")


# Shipments carry the demo vehicles; rules and the screening list are the reference tables; the battery passports'
# shipment records its own batteries.
SEED_AFTER = ("portal.reference", "portal.vehicles")


def seed(*, partners, stdout) -> None:
    """The demo screening list, cq-thunder's compliance data and the other makers' exports (idempotent)."""
    _seed_list(stdout)
    if "cq-thunder" in partners:
        _seed_thunder(partners["cq-thunder"], stdout)
        _seed_passports(partners["cq-thunder"], stdout)
    for slug in MAKERS:
        if slug in partners:
            _seed_maker(partners[slug], slug, stdout)
    if EV_MAKER in partners:
        _seed_ev_licence(partners[EV_MAKER], stdout)
    offset_demo.seed(partners=partners, stdout=stdout)  # Thailand EV 3.5: after the makers' shipments
