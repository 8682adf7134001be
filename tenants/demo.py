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
    # More makers, as in the real alliance: with eight or more of them, alliance totals reach the three
    # contributors that disclosure control asks for (their fleets: portal/vehicles/volumes.py).
    *[
        {
            "slug": slug,
            "member_since": member_since,
            "name": name,
            "kind": kind,
            "country": country,
            "city": city,
            "tier": tier,
            "people": [(f"owner@{slug}.example", owner, Role.OWNER)],
        }
        for slug, name, kind, country, city, tier, member_since, owner in [
            (
                "cq-lingyun",
                "Chongqing Lingyun Motor Co., Ltd.",
                PartnerKind.E_MOTORCYCLE_MAKER,
                "CN",
                "Chongqing",
                PartnerTier.FOUNDING,
                datetime.date(2024, 3, 18),
                "Zhao Jun",
            ),
            (
                "wuxi-swiftride",
                "Wuxi Swiftride E-Bike Co., Ltd.",
                PartnerKind.E_BIKE_MAKER,
                "CN",
                "Wuxi",
                PartnerTier.FULL,
                datetime.date(2024, 5, 6),
                "Xu Ting",
            ),
            (
                "tianjin-feiyue",
                "Tianjin Feiyue Cycle Group",
                PartnerKind.E_BIKE_MAKER,
                "CN",
                "Tianjin",
                PartnerTier.FULL,
                datetime.date(2024, 6, 12),
                "Ma Lin",
            ),
            (
                "taizhou-hengtong",
                "Taizhou Hengtong Tricycle Co., Ltd.",
                PartnerKind.E_MOTORCYCLE_MAKER,
                "CN",
                "Taizhou",
                PartnerTier.FULL,
                datetime.date(2024, 9, 2),
                "Guo Qiang",
            ),
            (
                "sao-viet-ev",
                "Sao Viet Electric Motorbike JSC",
                PartnerKind.E_MOTORCYCLE_MAKER,
                "VN",
                "Hanoi",
                PartnerTier.FULL,
                datetime.date(2024, 10, 21),
                "Nguyễn Thị Lan",
            ),
            (
                "garuda-listrik",
                "PT Garuda Listrik Motor",
                PartnerKind.E_MOTORCYCLE_MAKER,
                "ID",
                "Bekasi",
                PartnerTier.ASSOCIATE,
                datetime.date(2025, 1, 15),
                "Budi Santoso",
            ),
            (
                "pune-volta",
                "Volta Two-Wheelers Pvt. Ltd.",
                PartnerKind.E_MOTORCYCLE_MAKER,
                "IN",
                "Pune",
                PartnerTier.ASSOCIATE,
                datetime.date(2025, 3, 3),
                "Priya Deshpande",
            ),
            (
                "ister-emobility",
                "Ister E-Mobility Zrt.",
                PartnerKind.E_BIKE_MAKER,
                "HU",
                "Győr",
                PartnerTier.ASSOCIATE,
                datetime.date(2025, 4, 28),
                "Szabó Márta",
            ),
        ]
    ],
]
