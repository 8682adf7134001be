"""Post-processing of the OpenAPI schema."""

import json

FIELD_ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "A stable machine-readable error code."},
        "detail": {"type": "string", "description": "What is wrong, in plain words."},
        "attr": {
            "type": "string",
            "nullable": True,
            "description": "The field in error: a name, or a dotted path with list indexes (`vehicles.12.vin`).",
        },
    },
    "required": ["code", "detail", "attr"],
}


def generic_validation_errors(result, generator, request, public):
    """Describe validation errors with one field-error shape.

    drf-standardized-errors lists a component per field, told apart by `attr`; but attrs include list indexes
    (`vehicles.12.vin`) and filters add codes it cannot list, so real answers would break that schema.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for name, component in list(schemas.items()):
        if component.get("discriminator", {}).get("propertyName") == "attr":
            schemas[name] = dict(FIELD_ERROR)
    # Drop the per-field components and enums nothing refers to any more (they may refer to each other).
    while True:
        text = json.dumps(result, default=str)
        unused = [
            name
            for name in schemas
            if (name.endswith("ErrorComponent") or name.endswith("Enum"))
            and f'"#/components/schemas/{name}"' not in text
        ]
        if not unused:
            return result
        for name in unused:
            del schemas[name]


def _decimals_as_written(node):
    """Replace each decimal string schema (in place, recursively) by "that string, or a JSON number"."""
    if isinstance(node, list):
        for item in node:
            _decimals_as_written(item)
    elif isinstance(node, dict):
        for key, value in list(node.items()):
            if isinstance(value, dict) and value.get("type") == "string" and value.get("format") == "decimal":
                extras = {name: value.pop(name) for name in ("readOnly", "description", "nullable") if name in value}
                node[key] = {"oneOf": [value, {"type": "number"}], **extras}
            else:
                _decimals_as_written(value)


def decimals_as_strings_or_numbers(result, generator, request, public):
    """Decimals are written as strings ("4.32") and read from strings or JSON numbers (4.32), as DRF does."""
    _decimals_as_written(result.get("components", {}))
    return result
