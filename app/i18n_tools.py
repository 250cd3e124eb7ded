"""Catalogue upkeep: ``python -m app.i18n_tools fill-english PO`` copies each
English msgid into its empty msgstr (English is the source language), so the
en catalogue stays complete; ``missing PO...`` lists untranslated entries."""
from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def untranslated(path: str) -> list[str]:
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    out = []
    for msg in catalog:
        if not msg.id:
            continue
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if not all(strings):
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out


def fill_english(path: str) -> int:
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    filled = 0
    for msg in catalog:
        if not msg.id:
            continue
        if isinstance(msg.id, tuple):
            if not all(msg.string):
                msg.string = (msg.id[0], msg.id[1])
                filled += 1
        elif not msg.string:
            msg.string = msg.id
            filled += 1
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    return filled


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "fill-english":
        print(f"{fill_english(argv[1])} English strings filled")
        return 0
    if len(argv) >= 2 and argv[0] == "missing":
        missing = {p: untranslated(p) for p in argv[1:]}
        for path, ids in missing.items():
            print(f"{path}: {len(ids)} untranslated")
        return 1 if any(missing.values()) else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
