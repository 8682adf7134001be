"""The composition layer: pages that bring several domains together (the partner home)."""
