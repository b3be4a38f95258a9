"""Reading a form from HTML as a browser would, to post it back: every named input, textarea and select with the
value it carries (checked boxes only, the selected option), without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class FormReader(HTMLParser):
    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.fields = action, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((attributes["name"], attributes.get("value", "")))
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = [attributes["name"], ""]
        elif tag == "select" and attributes.get("name"):
            self._select = [attributes["name"], None]
        elif tag == "option" and self._select is not None and ("selected" in attributes or self._select[1] is None):
            self._select[1] = attributes.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select[0], self._select[1] or ""))
            self._select = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(html)
    return reader.fields
