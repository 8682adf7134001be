"""The OpenAPI schema is valid, warning-free, and documents the API-key scheme."""

import yaml
from django.core.management import call_command


def test_schema_validates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["type"] == "apiKey"
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/partners/" in schema["paths"]
