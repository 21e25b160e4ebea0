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


def test_chinese_text_uses_full_width_punctuation():
    # "服务热线 (草堂路社区):" reads wrong in Chinese: brackets, colons and commas next to
    # Chinese characters are the full-width （）：，；！ (a "?" legend in a table may stay).
    import re

    from babel.messages.pofile import read_po

    with open(po_path("zh_Hans"), "rb") as handle:
        catalogue = read_po(handle)
    chinese, wrong = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]", []
    for message in catalogue:
        text = re.sub(r"%\(\w+\)[-.\d]*[sdf]", "0", message.string or "")
        if re.search(r"[\u4e00-\u9fff]", text) and (
                re.search(r"[()]", text)
                or re.search(rf"{chinese}\s*[:,;!]|[:,;!]\s*{chinese}", text)):
            wrong.append(message.string)
    assert wrong == []


def test_templates_keep_punctuation_inside_translated_strings():
    # `{{ _("My balance") }}: ` puts an English colon after Chinese text; the colon belongs
    # in the message, where each language writes its own (我的余额：).
    import re

    outside = re.compile(r"\{\{\s*_\([^\n]*?\)\s*\}\}[ ]?[:(,;]")
    found = [f"{path.name}: {match.group(0)}"
             for path in sorted((Path(__file__).parent.parent / "templates").rglob("*.html"))
             for match in outside.finditer(path.read_text())]
    assert found == []
