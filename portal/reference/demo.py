"""Demo WMI register: made-up identifiers for the demo makers (no real manufacturer's WMI)."""

from .models import WmiAssignment

# slug → (WMI, small-maker code or "", note)
DEMO_WMIS = {
    "cq-thunder": [("LCT", "", "Demo: Chongqing Thunder e-motorcycles (China, L…)")],
    # A small maker: '9' in position 3, its own code in VIN positions 12–14.
    "siam-ebike": [("MS9", "SEB", "Demo: Siam E-Bike, small maker (Thailand, M…)")],
    "cq-lingyun": [("LLY", "", "Demo: Chongqing Lingyun scooters and motorcycles (China, L…)")],
    "wuxi-swiftride": [("LSW", "", "Demo: Wuxi Swiftride e-bikes (China, L…)")],
    "tianjin-feiyue": [("LFY", "", "Demo: Tianjin Feiyue e-bikes (China, L…)")],
    "taizhou-hengtong": [("LHT", "", "Demo: Taizhou Hengtong tricycles (China, L…)")],
    "sao-viet-ev": [("RLS", "", "Demo: Sao Viet e-motorbikes (Vietnam, RL…)")],
    "garuda-listrik": [("MHG", "", "Demo: Garuda Listrik e-motorcycles (Indonesia, MH…)")],
    "pune-volta": [("MBV", "", "Demo: Volta two- and three-wheelers (India, MA–ME…)")],
    "ister-emobility": [("TRS", "", "Demo: Ister cargo e-bikes and tricycles (Hungary, TR…)")],
}


def seed(*, partners, stdout) -> None:
    """Assign the demo WMIs (idempotent)."""
    created = 0
    for slug, entries in DEMO_WMIS.items():
        partner = partners.get(slug)
        if partner is None:
            continue
        for wmi, code, note in entries:
            _entry, was_created = WmiAssignment.objects.get_or_create(
                wmi=wmi, small_maker_code=code, defaults={"partner": partner, "note": note}
            )
            created += was_created
    stdout.write(f"WMI register: {created} new assignments.")
