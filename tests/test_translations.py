"""The French catalogue is complete, matches the source strings, and is what the app serves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
FRENCH_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")

# The same keywords as `make extract-messages`. Babel skips directories whose name starts with "_" unless told
# otherwise, so --ignore-dirs is needed for templates/_macros to be scanned.
EXTRACT_ARGS = [
    "--quiet", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2",
    "--ignore-dirs", ".* __pycache__", "--no-location", "--omit-header",
]

# A python-format placeholder such as %(name)s or %(count)d; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:%|\((?P<name>[^)]*)\)[#0 +-]*\d*(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa]))")


def _read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="fr")


def _placeholders(text: str) -> set[tuple[str, str]]:
    return {(m["name"], m["kind"]) for m in PLACEHOLDER.finditer(text) if m["name"] is not None}


def _key(message) -> tuple:
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    return (*ids, message.context)


def _show(message) -> str:
    return repr(message.id if isinstance(message.id, str) else tuple(message.id))


def _pybabel() -> list[str]:
    """The pybabel next to the running interpreter, or Babel's command line run by that interpreter."""
    script = Path(sys.executable).parent / ("pybabel.exe" if os.name == "nt" else "pybabel")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from babel.messages.frontend import main; sys.exit(main())"]


def _messages(catalog) -> Iterable:
    return (message for message in catalog if message.id)


def _compile(po_path: Path, mo_path: Path) -> None:
    """Compile like `pybabel compile`, writing atomically so parallel workers never read half a file."""
    catalog = _read_catalog(po_path)
    fd, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@pytest.fixture(scope="session")
def french_catalog():
    assert FRENCH_PO.exists(), f"{FRENCH_PO.relative_to(ROOT)} is missing: run `make extract-messages`"
    return _read_catalog(FRENCH_PO)


@pytest.fixture(scope="session")
def compiled_french(app):
    """Make sure the .mo the app loads is at least as new as the .po, whether or not `make` compiled it."""
    if not FRENCH_MO.exists() or FRENCH_MO.stat().st_mtime < FRENCH_PO.stat().st_mtime:
        _compile(FRENCH_PO, FRENCH_MO)
        babel_config = app.extensions.get("babel")
        domain = getattr(babel_config, "domain_instance", None)
        if domain is not None:
            domain.cache.clear()  # Flask-Babel keeps loaded catalogues for the whole process.
    return FRENCH_MO


def test_catalogue_header_is_not_fuzzy(french_catalog):
    # Without its header entry (for example after `pybabel update --omit-header`) Babel marks the whole catalogue
    # as fuzzy, and `pybabel compile` then skips it silently: the site would fall back to English.
    assert not french_catalog.fuzzy, (
        "the French catalogue has no header or a fuzzy header, so `pybabel compile` would skip it; "
        "restore the header (run `pybabel update` without --omit-header)"
    )


def test_every_message_is_translated(french_catalog):
    problems = []
    for message in _messages(french_catalog):
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            problems.append(f"fuzzy: {_show(message)}")
        if message.pluralizable and len(strings) != french_catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {french_catalog.num_plurals}: {_show(message)}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"empty: {_show(message)}")
    assert not problems, "French translations to fix:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders(french_catalog):
    problems = []
    for message in _messages(french_catalog):
        if message.pluralizable:
            singular, plural = message.id
            allowed = [_placeholders(plural), _placeholders(singular)]
            for index, string in enumerate(message.string):
                # Any form may follow the plural msgid; the first may also follow the singular one.
                if string and _placeholders(string) not in allowed[: 2 if index == 0 else 1]:
                    problems.append(f"{_show(message)} form {index}: {string!r}")
        elif message.string and _placeholders(message.string) != _placeholders(message.id):
            problems.append(f"{_show(message)}: {message.string!r}")
    assert not problems, "Placeholders differ from the English:\n" + "\n".join(problems)


def test_every_source_string_is_in_the_french_catalogue(french_catalog, tmp_path):
    template = tmp_path / "messages.pot"
    result = subprocess.run(
        [*_pybabel(), *EXTRACT_ARGS, "-o", str(template), "."],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stdout}\n{result.stderr}"
    with template.open("rb") as f:
        extracted = read_po(f)
    assert len(extracted) > 0, "pybabel extract found no messages: check babel.cfg"
    known = {_key(message) for message in _messages(french_catalog)}
    missing = sorted(_show(message) for message in _messages(extracted) if _key(message) not in known)
    assert not missing, (
        "Strings in the source with no French entry (run `make extract-messages`, then translate):\n"
        + "\n".join(missing)
    )


def test_pages_are_served_in_french(client, compiled_french):
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Aller au contenu principal" in html
    assert "Skip to main content" not in html


def test_the_french_the_browser_journeys_expect_is_the_catalogue_s():
    """tests/e2e/french.py spells out the French the journeys look for; it must be what the catalogue says, so
    that a better translation changes one place and a wrong one in the tests cannot pass unnoticed."""
    from tests.e2e.french import FR

    catalog = _read_catalog(FRENCH_PO)
    numbered = {"Budget line 1": "Budget line %(num)d", "Milestone 1": "Milestone %(num)d",
                "There is 1 problem to fix": "There is %(num)d problem to fix"}
    wrong = {}
    for english, french in FR.items():
        message = catalog.get(numbered.get(english, english))
        translation = message.string if message else None
        if isinstance(translation, (list, tuple)):
            translation = translation[0]  # the singular, for one
        expected = translation.replace("%(num)d", "1") if translation else None
        if expected != french:
            wrong[english] = (french, expected)
    assert not wrong, f"tests/e2e/french.py differs from the catalogue (test's, catalogue's): {wrong}"
