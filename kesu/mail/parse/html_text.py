"""HTML to readable plain text (`html_to_text`)."""

import re
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser

_SKIPPED_HTML_TAGS = frozenset({"script", "style", "title", "template", "head"})
_PARAGRAPH_HTML_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
)
_LINE_HTML_TAGS = frozenset(
    {
        "div",
        "li",
        "tr",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "dt",
        "dd",
        "form",
        "fieldset",
        "center",
        "nav",
        "main",
        "aside",
        "figure",
        "figcaption",
        "caption",
        "body",
    }
)
_CELL_HTML_TAGS = frozenset({"td", "th"})
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
_HTML_TAG_RE = re.compile(r"<[^>]*>")
_HTML_SKIPPED_BLOCK_RE = re.compile(
    r"<(script|style|title|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)


class _HtmlTextExtractor(HTMLParser):
    """Collects text; line breaks owed by block boundaries are merged, those of ``<br>`` add up."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._owed_breaks = 0
        self._prefix = ""

    def _block(self, breaks: int) -> None:
        self._owed_breaks = max(self._owed_breaks, breaks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_HTML_TAGS:
            self._skip_depth += 1
        elif tag == "body":  # an unclosed <head> ends here, as in browsers
            self._skip_depth = 0
        elif tag == "br":
            self._owed_breaks += 1
        elif tag in _PARAGRAPH_HTML_TAGS:
            self._block(2)
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _LINE_HTML_TAGS:
            self._block(1)
            if tag == "li":
                self._prefix = "- "

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_HTML_TAGS:  # <style/> or <head/> would otherwise never close
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_HTML_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _PARAGRAPH_HTML_TAGS:
            self._block(2)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINE_HTML_TAGS:
            self._block(1)
        elif tag in _CELL_HTML_TAGS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if not self._pre_depth:
            data = _HTML_SPACE_RE.sub(" ", data)
            if self._owed_breaks and not data.strip():
                return
        if self._owed_breaks:
            self.chunks.append("\n" * self._owed_breaks)
            self._owed_breaks = 0
        if self._prefix:
            self.chunks.append(self._prefix)
            self._prefix = ""
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body.

    Block elements start new lines (paragraphs, headings, tables and lists a new paragraph),
    ``<br>`` is a line break, list items get "- ", table cells are separated by a space;
    ``<script>``, ``<style>``, ``<head>`` and comments are dropped; entities are unescaped;
    runs of whitespace become one space, no line has leading or trailing spaces and there is
    never more than one blank line in a row. Non-breaking spaces become ordinary spaces;
    ideographic spaces (U+3000) are kept.
    """
    extractor = _HtmlTextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
        text = "".join(extractor.chunks)
    except (AssertionError, ValueError, IndexError):  # malformed markup the parser gives up on
        text = unescape(_HTML_TAG_RE.sub(" ", _HTML_SKIPPED_BLOCK_RE.sub(" ", html)))
    return _tidy_lines(text.replace("\xa0", " ").split("\n"))


def _tidy_lines(lines: Iterable[str]) -> str:
    """Strip spaces at both ends of each line, keep at most one blank line in a row."""
    kept: list[str] = []
    blank = False
    for line in lines:
        line = line.strip(" \t\r\f\v")
        if not line:
            blank = bool(kept)
            continue
        if blank:
            kept.append("")
            blank = False
        kept.append(line)
    return "\n".join(kept)
