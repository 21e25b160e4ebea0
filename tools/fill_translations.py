"""Fill a catalogue's empty translations from a Python file holding a ``ZH`` dict.

    python tools/fill_translations.py zh_Hans /path/to/strings.py
"""

import runpy
import sys

from babel.messages.pofile import write_po

from tools.translations import po_path, read


def fill(locale, table):
    catalog = read(po_path(locale))
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in table:
            message.string = table[message.id]
            filled += 1
    with open(po_path(locale), "wb") as handle:
        write_po(handle, catalog, omit_header=True, no_location=True, sort_output=True)
    return filled


if __name__ == "__main__":
    print(fill(sys.argv[1], runpy.run_path(sys.argv[2])["ZH"]), "filled")
