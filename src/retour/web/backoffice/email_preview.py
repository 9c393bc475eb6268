"""The Content-Security-Policy of a page showing an e-mail preview.

The HTML part is shown in a sandboxed `<iframe srcdoc>`, which keeps the page's policy; the
back office's forbids inline styles, and e-mails are all inline styles. The preview's page
allows exactly the e-mail's own (`<style>` elements and `style` attributes, by hash), so the
frame shows the e-mail as a mail client would. Scripts stay forbidden, and the frame's sandbox
refuses them anyway.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

from retour.web.backoffice.visit import CSP

#: More distinct styles than this and the rest are left unstyled (the header stays small).
MAX_STYLES = 300


class _InlineStyles(HTMLParser):
    """Each `<style>` element's text and each `style` attribute's value, as the browser hashes
    them (attribute values with their character references resolved)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._element: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name == "style" and value]
        if tag == "style":
            self._element = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._element is not None:
            self.found.append("".join(self._element))
            self._element = None

    def handle_data(self, data: str) -> None:
        if self._element is not None:
            self._element.append(data)


def preview_policy(html: str) -> str:
    """The back office's policy, with the e-mail's inline styles allowed by their hashes."""
    parser = _InlineStyles()
    parser.feed(html)
    parser.close()
    styles = list(dict.fromkeys(parser.found))[:MAX_STYLES]
    if not styles:
        return CSP
    hashes = " ".join(f"'sha256-{_digest(style)}'" for style in styles)
    return CSP.replace("style-src 'self'", f"style-src 'self' 'unsafe-hashes' {hashes}", 1)


def _digest(style: str) -> str:
    return base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
