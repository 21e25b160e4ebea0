"""Sections one domain adds to another domain's page, so imports point down.

A page owned by one domain (a service point's page) shows what other domains have there
(the time bank's activities at the point) without importing them: each of those domains
registers a section once, at import, and the page asks for the sections of its kind::

    sections.register("service_point", "timebank/_at_point.html", activities_at)

``activities_at(point)`` returns the template's context (a dict), or None when it has
nothing to show there. The page's template includes each section's template with its
context (``{% for section in sections %}{% with c = section.context %}{% include
section.template %}{% endwith %}{% endfor %}``).
"""

from dataclasses import dataclass

_REGISTERED = {}


@dataclass(frozen=True)
class Section:
    """One domain's part of a page: the template that renders it and its context."""

    template: str
    context: dict


def register(page, template, context):
    """Show ``template`` on every ``page`` with ``context(obj)`` (None: nothing to show)."""
    entries = _REGISTERED.setdefault(page, [])
    if not any(t == template for t, _c in entries):  # importing twice adds nothing
        entries.append((template, context))


def sections_for(page, obj):
    """Return the sections to show on ``page`` for ``obj``, in the order they registered."""
    shown = []
    for template, context in _REGISTERED.get(page, []):
        values = context(obj)
        if values is not None:
            shown.append(Section(template, values))
    return shown
