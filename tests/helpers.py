"""Checks shared by request tests: what every page of the portal must be."""

import gzip
from html.parser import HTMLParser

PAGE_BUDGET = 14 * 1024  # bytes of gzip-compressed HTML: one TCP round trip


class _PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.inline = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "script" and not attrs.get("src"):
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style> element")
        if "style" in attrs:
            self.inline.append(f"style= on <{tag}>")
        self.inline += [f"{name}= on <{tag}>" for name in attrs if name.startswith("on")]


def audit_page(response, lang="zh-Hans"):
    """Assert the page states its language, has no inline script or style, fits the budget."""
    html = response.get_data()
    audit = _PageAudit()
    audit.feed(html.decode())
    assert audit.lang == lang
    assert audit.inline == []
    assert len(gzip.compress(html, 9)) <= PAGE_BUDGET, len(gzip.compress(html, 9))
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    return len(gzip.compress(html, 9))


def text(response):
    return response.get_data(as_text=True)
