"""The demo alliance that `make run` seeds: plain data, importable before Django is set up."""

import datetime
import os

from .choices import PartnerKind, PartnerTier, Role

# A demo password for a local demo only; production never runs this command.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "alliance-demo-2026")
STAFF_EMAIL = "staff@alliance.example"

DEMO_PARTNERS = [
    {
        "slug": "cq-thunder",
        "member_since": datetime.date(2024, 3, 18),
        "name": "Chongqing Thunder E-Motorcycle Co., Ltd.",
        "kind": PartnerKind.E_MOTORCYCLE_MAKER,
        "country": "CN",
        "city": "Chongqing",
        "tier": PartnerTier.FOUNDING,
        "people": [
            ("owner@cq-thunder.example", "Li Wei", Role.OWNER),
            ("manager@cq-thunder.example", "Zhang Min", Role.MANAGER),
            ("member@cq-thunder.example", "Chen Jing", Role.MEMBER),
            ("viewer@cq-thunder.example", "Wang Fang", Role.VIEWER),
        ],
    },
    {
        "slug": "yangtze-cells",
        "member_since": datetime.date(2024, 3, 18),
        "name": "Yangtze Cell Technology",
        "kind": PartnerKind.BATTERY_MAKER,
        "country": "CN",
        "city": "Yibin",
        "tier": PartnerTier.FULL,
        "people": [
            ("owner@yangtze-cells.example", "Liu Yang", Role.OWNER),
            ("manager@yangtze-cells.example", "Huang Lei", Role.MANAGER),
        ],
    },
    {
        "slug": "cq-ev-institute",
        "member_since": datetime.date(2024, 3, 18),
        "name": "Chongqing Smart EV Research Institute",
        "kind": PartnerKind.RESEARCH_INSTITUTE,
        "country": "CN",
        "city": "Chongqing",
        "tier": PartnerTier.FOUNDING,
        "people": [
            ("owner@cq-ev-institute.example", "Prof. Zhou Hui", Role.OWNER),
            ("member@cq-ev-institute.example", "Dr. Sun Qiang", Role.MEMBER),
        ],
    },
    {
        "slug": "danube-export",
        "member_since": datetime.date(2024, 11, 6),
        "name": "Danube EV Export Services Kft.",
        "kind": PartnerKind.EXPORT_AGENT,
        "country": "HU",
        "city": "Budapest",
        "tier": PartnerTier.ASSOCIATE,
        "people": [
            ("owner@danube-export.example", "Kovács Anna", Role.OWNER),
            ("viewer@danube-export.example", "Nagy Péter", Role.VIEWER),
            # One person in two partners, to show the workspace switcher.
            ("member@cq-thunder.example", "Chen Jing", Role.MEMBER),
        ],
    },
    {
        "slug": "siam-ebike",
        "member_since": datetime.date(2025, 2, 24),
        "name": "Siam E-Bike Works",
        "kind": PartnerKind.E_BIKE_MAKER,
        "country": "TH",
        "city": "Bangkok",
        "tier": PartnerTier.FULL,
        "people": [
            ("owner@siam-ebike.example", "Somchai Wongsakul", Role.OWNER),
        ],
    },
    {
        "slug": "gulf-ev-trading",
        "member_since": datetime.date(2025, 7, 10),
        "name": "Gulf EV Trading LLC",
        "kind": PartnerKind.EXPORT_AGENT,
        "country": "SA",
        "city": "Riyadh",
        "tier": PartnerTier.OBSERVER,
        "people": [
            ("owner@gulf-ev.example", "Fatimah Al-Harbi", Role.OWNER),
        ],
    },
]
