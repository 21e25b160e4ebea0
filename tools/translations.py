"""Keep the catalogues in step with the source: extract, update, fill English, compile.

English is the source language: its catalogue's translations are the message ids themselves,
written out so that every catalogue is complete. Chinese (zh_Hans) is translated by hand.

    python tools/translations.py update    # after changing strings; then translate zh_Hans
    python tools/translations.py compile   # build the .mo files (make does this)
    python tools/translations.py check     # exit 1 if a catalogue is stale or incomplete
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LOCALES = ("zh_Hans", "en")


def pybabel(*args):
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stdout + done.stderr)


def extract(output=TEMPLATE):
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
            "--omit-header", "-o", str(output), ".")


def po_path(locale):
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def update():
    extract()
    for locale in LOCALES:
        if po_path(locale).exists():
            pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", locale,
                    "--no-fuzzy-matching", "--ignore-obsolete", "--omit-header")
        else:
            pybabel("init", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", locale)
    fill_english()


def fill_english():
    catalog = read(po_path("en"))
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id[:2])
        elif not message.string:
            message.string = message.id
    with open(po_path("en"), "wb") as handle:
        write_po(handle, catalog, omit_header=True, no_location=True, sort_output=True)


def compile_catalogues():
    pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def problems():
    """List what is missing: source strings not in a catalogue, or untranslated."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        extract(fresh)
        wanted = {m.id for m in read(fresh) if m.id}
    found = []
    for locale in LOCALES:
        catalog = read(po_path(locale))
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted, key=str):
            message = have.get(msgid)
            if message is None:
                found.append(f"{locale}: not in catalogue: {msgid!r}")
            elif not (all(message.string) if isinstance(message.string, tuple) else message.string):
                found.append(f"{locale}: not translated: {msgid!r}")
            elif message.fuzzy:
                found.append(f"{locale}: fuzzy: {msgid!r}")
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogues()
    elif command == "check":
        missing = problems()
        print("\n".join(missing) or "Catalogues complete.")
        sys.exit(1 if missing else 0)
    else:
        sys.exit(__doc__)
