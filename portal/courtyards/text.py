"""Plain text written by people (notices, agreements) shown as paragraphs and lists.

Nobody writes HTML here: the text is escaped, then blank lines make paragraphs and lines that
start with "- " make a list. Whatever else was typed (tags, scripts) is shown as text.
"""

import re

from markupsafe import Markup, escape

# "- ", and the full-width dash or bullet a Chinese keyboard gives.
_ITEM = re.compile(r"^\s*[-－•·]\s+")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _block(lines):
    """One paragraph (lines kept with <br>) or one list, for consecutive lines alike."""
    if _ITEM.match(lines[0]):
        items = Markup("").join(Markup("<li>{}</li>").format(_ITEM.sub("", line, count=1))
                                for line in lines)
        return Markup("<ul>{}</ul>").format(items)
    return Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in lines))


def paragraphs(text):
    """``text`` as escaped <p> and <ul> blocks, in a Markup ready for a template."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for chunk in _BLANK_LINES.split(text):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        # Within a chunk, a run of list lines is a list, a run of other lines a paragraph.
        run = []
        for line in lines:
            if run and bool(_ITEM.match(line)) != bool(_ITEM.match(run[0])):
                blocks.append(_block(run))
                run = []
            run.append(line)
        if run:
            blocks.append(_block(run))
    return Markup("\n").join(blocks)
