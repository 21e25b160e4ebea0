"""A line-based comparison of two texts (a convention and the version before it), as pieces
a page marks with <ins>/<del> and the words "新增：" / "删除：", so it reads without colour."""

import difflib

SAME, ADDED, REMOVED = "same", "added", "removed"


def _lines(text):
    return [line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")]


def line_diff(before, after):
    """Return [(kind, line)] turning ``before`` into ``after``; kind is "same", "added" or
    "removed". Removed lines come before the lines that replace them."""
    old, new = _lines(before), _lines(after)
    pieces = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces += [(SAME, line) for line in old[i1:i2]]
            continue
        pieces += [(REMOVED, line) for line in old[i1:i2] if line.strip()]
        pieces += [(ADDED, line) for line in new[j1:j2] if line.strip()]
    return pieces


def changed(pieces):
    """How many lines were added and removed."""
    return (sum(kind == ADDED for kind, _line in pieces),
            sum(kind == REMOVED for kind, _line in pieces))
