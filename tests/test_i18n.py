"""Every user-facing string is in both catalogues and translated; compiled ones are fresh."""

from pathlib import Path

from tools.translations import LOCALES, po_path, problems


def test_every_message_is_translated_in_both_catalogues():
    assert problems() == []


def test_compiled_catalogues_are_not_stale():
    for locale in LOCALES:
        po = po_path(locale)
        mo = Path(str(po)[:-3] + ".mo")
        assert mo.exists(), f"{mo} missing: run make"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} older than {po}: run make"
