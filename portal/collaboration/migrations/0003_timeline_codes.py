"""Timeline lines as codes: `params` holds stage codes, field names and milestone data instead of sentences.

Existing rows are read back: "Proposed → Negotiating: why" (stage labels in any of the portal's languages),
"budget_range, summary" (edited fields), "Title (2026-08-01)" and "Title: done" / "Title: open again"
(milestones). A row that cannot be read keeps its text and is shown as written.
"""

import re

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

from portal.collaboration.choices import Stage

FIELDS = {"title", "summary", "tags", "markets", "budget_range"}
DUE = re.compile(r"^(?P<title>.*) \((?P<due>\d{4}-\d{2}-\d{2})\)$")


def _in_every_language(text: str) -> set[str]:
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(str(translation.gettext(text)))
    return found


def _stage_codes() -> dict[str, str]:
    codes = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            codes.update({str(label): value for value, label in Stage.choices})
    return codes


def _read(kind: str, text: str, stages: dict[str, str], done: set[str], open_again: set[str]) -> dict | None:
    if kind == "stage" and " → " in text:
        from_label, rest = text.split(" → ", 1)
        to_label, _sep, reason = rest.partition(": ")
        if from_label in stages and to_label in stages:
            return {"from": stages[from_label], "to": stages[to_label], "reason": reason}
    if kind == "edited":
        fields = [name.strip() for name in text.split(",") if name.strip()]
        if fields and set(fields) <= FIELDS:
            return {"fields": fields}
    if kind == "milestone":
        due = DUE.match(text)
        if due:
            return {"title": due["title"], "due": due["due"]}
        title, _sep, state = text.rpartition(": ")
        if title and state in done | open_again:
            return {"title": title, "done": state in done}
    return None


def forwards(apps, schema_editor):
    TimelineEvent = apps.get_model("collaboration", "TimelineEvent")
    stages = _stage_codes()
    done, open_again = _in_every_language("done"), _in_every_language("open again")
    changed = []
    for event in TimelineEvent.objects.filter(kind__in=["stage", "edited", "milestone"], params={}).iterator():
        params = _read(event.kind, event.text, stages, done, open_again)
        if params is not None:
            event.params, event.text = params, ""
            changed.append(event)
    TimelineEvent.objects.bulk_update(changed, ["params", "text"], batch_size=1000)


def backwards(apps, schema_editor):
    """Write the English sentences back, so that nothing is lost when the column goes."""
    TimelineEvent = apps.get_model("collaboration", "TimelineEvent")
    with translation.override("en"):
        labels = {value: str(label) for value, label in Stage.choices}
    changed = []
    for event in TimelineEvent.objects.exclude(params={}).iterator():
        p = event.params
        if event.kind == "stage":
            text = f"{labels.get(p['from'], p['from'])} → {labels.get(p['to'], p['to'])}"
            text += f": {p['reason']}" if p.get("reason") else ""
        elif event.kind == "edited":
            text = ", ".join(p.get("fields", []))
        elif "due" in p:
            text = f"{p['title']} ({p['due']})"
        else:
            text = f"{p.get('title', '')}: {'done' if p.get('done') else 'open again'}"
        event.text = str(text)[:500]
        changed.append(event)
    TimelineEvent.objects.bulk_update(changed, ["text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("collaboration", "0002_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, backwards),
    ]
