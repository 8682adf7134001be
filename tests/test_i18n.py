"""Message catalogues: complete, placeholder-safe, current with the source, and served by the site."""

import ast
import io
import os
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.test.signals import setting_changed
from django.utils import translation
from django.utils.html import escape
from django.utils.translation.template import templatize

from portal.devstack import ROOT, compile_messages

LOCALE_DIR = ROOT / "portal" / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
EXPECTED_LOCALES = {"zh_Hans", "ar", "th"}

# The same folders `makemessages --ignore=...` leaves out (plus its defaults: hidden folders, STATIC_ROOT).
IGNORED_DIRS = {"staticfiles", "tests", "bench", "media", "node_modules"}

PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{(?:[A-Za-z_]\w*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")
# A msgid holding an entity (&amp;) is pre-escaped HTML, so its translation must not hold a bare "&".
HTML_ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);)")

# gettext keywords as makemessages passes them to xgettext: name -> (context, singular, plural) argument index.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _placeholders(text: str, *, percent: bool) -> list[str]:
    found = BRACE_PLACEHOLDER.findall(text)
    if percent:
        found += [spec for spec in PERCENT_PLACEHOLDER.findall(text) if spec != "%%"]
    return sorted(found)


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "the catalogue has no Plural-Forms header"
    return int(match.group(1))


def _calls_in(source: str) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every gettext-style call with literal arguments in Python source."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        context_at, singular_at, plural_at = KEYWORDS[name]
        wanted = [i for i in (context_at, singular_at, plural_at) if i is not None]
        args = node.args
        if len(args) <= max(wanted) or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str) for i in wanted
        ):
            continue  # not a literal: xgettext skips it as well
        found.add((args[context_at].value if context_at is not None else None, args[singular_at].value))
    return found


def _calls_in_template(path: Path) -> set[tuple[str | None, str]]:
    """Run the template through Django's own templatize(), as makemessages does, and read back its calls."""
    # templatize() blanks out everything but gettext(...) calls (one line each) and translator comments;
    # dropping the indentation keeps the result tokenizable.
    lines = [line.lstrip() for line in templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines()]
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]
    snippets = []
    for i, token in enumerate(tokens[:-1]):
        if token.type == tokenize.NAME and token.string in KEYWORDS and tokens[i + 1].string == "(":
            depth, j = 0, i + 1
            while True:
                depth += {"(": 1, ")": -1}.get(tokens[j].string, 0)
                if depth == 0:
                    break
                j += 1
            (row, start), end = token.start, tokens[j].end
            assert end[0] == row, f"{path}: a translatable string spans lines in templatize() output"
            snippets.append(lines[row - 1][start : end[1]])
    return _calls_in("\n".join(snippets))


def _source_messages() -> dict[tuple[str | None, str], str]:
    """Every translatable literal makemessages would find, with the file it comes from."""
    ignored_roots = {Path(p).resolve() for p in (settings.STATIC_ROOT, settings.MEDIA_ROOT) if p}
    messages = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in IGNORED_DIRS and (Path(folder) / d).resolve() not in ignored_roots
        )
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix not in {".py", ".html", ".txt"}:
                continue
            relative = path.relative_to(ROOT)
            found = _calls_in(path.read_text(encoding="utf-8")) if path.suffix == ".py" else _calls_in_template(path)
            for key in found:
                messages.setdefault(key, str(relative))
    return messages


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogues():
    """.mo files are not committed: compile them, then drop any catalogue Django cached before they existed."""
    compile_messages()
    setting_changed.send(sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=True)


def test_every_expected_language_has_a_catalogue():
    assert {path.parent.parent.name for path in CATALOGUES} >= EXPECTED_LOCALES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete_and_keeps_placeholders(path):
    po = polib.pofile(str(path))
    nplurals = _nplurals(po)

    assert po.metadata.get("Language"), "the Language header is empty"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []

    problems = []
    for entry in po.translated_entries():
        percent = "python-format" in entry.flags
        expected = _placeholders(entry.msgid, percent=percent)
        if entry.msgid_plural:
            expected = sorted(set(expected) | set(_placeholders(entry.msgid_plural, percent=percent)))
            if len(entry.msgstr_plural) != nplurals:
                problems.append(f"{entry.msgid!r}: {len(entry.msgstr_plural)} plural forms, expected {nplurals}")
        for msgstr in _translations(entry):
            if _placeholders(msgstr, percent=percent) != expected:
                problems.append(f"{entry.msgid!r} -> {msgstr!r}: placeholders differ from {expected}")
            if HTML_ENTITY.search(entry.msgid) and BARE_AMPERSAND.search(msgstr):
                problems.append(f"{entry.msgid!r} -> {msgstr!r}: a bare & where the msgid uses an HTML entity")
    assert problems == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_passes_msgfmt_check(path):
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_catalogues_are_current_with_the_source():
    """Every gettext literal in code, {% translate %} and {% blocktranslate %} has a msgid: else run makemessages."""
    messages = _source_messages()
    assert messages, "no translatable strings found: the extraction is broken"
    for path in CATALOGUES:
        po = polib.pofile(str(path))
        known = {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}
        missing = sorted(
            f"{source}: {msgid!r}" for (ctx, msgid), source in messages.items() if (ctx, msgid) not in known
        )
        assert missing == [], f"{path.relative_to(ROOT)} lacks messages; run makemessages and translate them"


def _home(language: str):
    return Client(HTTP_HOST="localhost").get("/", HTTP_ACCEPT_LANGUAGE=language)


def _translated(language: str, message: str) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    assert text != message, f"{message!r} is not translated into {language}"
    return escape(text)


TITLE = "Global Development Alliance for the Smart EV Industry"


def test_home_page_in_arabic_is_right_to_left(db):
    response = _home("ar")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html[^>]*\blang="ar"', html)
    assert re.search(r'<html[^>]*\bdir="rtl"', html)
    assert _translated("ar", TITLE) in html


@pytest.mark.parametrize("language", ["th", "zh-hans"])
def test_home_page_is_translated(db, language):
    response = _home(language)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<html[^>]*\blang="{language}"', html)
    assert re.search(r'<html[^>]*\bdir="ltr"', html)
    assert _translated(language, TITLE) in html
    assert TITLE not in html


def test_home_page_falls_back_to_english_for_an_unknown_language(db):
    response = _home("xx")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html[^>]*\blang="en"', html)
    assert re.search(r'<html[^>]*\bdir="ltr"', html)
    assert TITLE in html
