"""Finds the forms of a page (stdlib HTML parser) and fills them, so every form is driven without listing them."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    options: list = field(default_factory=list)
    required: bool = False


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                Form(attrs.get("action") or "", (attrs.get("method") or "get").lower(), attrs.get("enctype") or "")
            )
            return
        if not self.forms or "name" not in attrs:
            if tag == "option" and self._select is not None:
                self._select.options.append(attrs.get("value", ""))
            return
        form = self.forms[-1]
        required = "required" in attrs
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            value = attrs.get("value") or ""
            if kind in ("checkbox", "radio") and any(f.name == attrs["name"] for f in form.fields):
                return  # the first of a group is enough
            form.fields.append(Field(attrs["name"], kind, value, required=required))
        elif tag == "textarea":
            form.fields.append(Field(attrs["name"], "textarea", required=required))
        elif tag == "select":
            self._select = Field(attrs["name"], "select", required=required)
            form.fields.append(self._select)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


TEXT_KINDS = {"text", "search", "textarea", "url", "tel", "password"}


def fill(form: Form, *, text, number: str = "3", date: str = "2025-05-01", upload=None) -> dict:
    """POST data for the form: `text(index, field)` for text fields, the first choice of every select."""
    data = {}
    for index, item in enumerate(form.fields):
        if item.kind == "hidden":
            data[item.name] = item.value
        elif item.kind in TEXT_KINDS:
            data[item.name] = text(index, item)
        elif item.kind == "email":
            data[item.name] = f"hostile{index}@example.com"
        elif item.kind == "number":
            data[item.name] = number
        elif item.kind in ("date", "datetime-local"):
            data[item.name] = date
        elif item.kind in ("checkbox", "radio"):
            data[item.name] = item.value or "on"
        elif item.kind == "select":
            choices = [option for option in item.options if option]
            if choices:
                data[item.name] = choices[0]
        elif item.kind == "file" and upload is not None:
            data[item.name] = upload()
    return data
