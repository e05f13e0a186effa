"""Text from other systems' question files, turned into what this app stores.

A question's prompt and general feedback are Markdown here (rendered by the lessons'
renderer and sanitiser, course/markdown.py); choices and per-answer feedback are plain
text. Files say what their text is: GIFT's `[html]`, `[moodle]`, `[plain]`, `[markdown]`
tags, Moodle XML's `format="..."` attributes, Canvas's `texttype`. So:

- Markdown is kept as it is (the renderer sanitises it when it is shown);
- HTML (and Moodle's auto-format, which allows HTML) becomes Markdown: paragraphs,
  breaks, emphasis, code, lists, links, headings, quotes and tables keep their shape,
  scripts and styles are dropped with their content, every other tag keeps only its text;
- plain text is escaped, so that `*`, `_` or `<b>` show as typed.

An image whose file is not on the web (`@@PLUGINFILE@@/x.png`, a data: URL, a file in
a Canvas zip) cannot be shown: `ImageNotCarried` names it and the question is refused.

`BLANK` marks the missing word of a GIFT question ("Grant is _____ in Grant's tomb."):
it is kept as it is through every conversion and drawn as a blank on the quiz pages.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

BLANK = "_____"
FORMATS = ("markdown", "html", "moodle", "plain")

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!{}])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)
_WEB_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
_BLOCKS = {"p", "div", "section", "article", "header", "footer", "figure", "figcaption"}
_DROPPED = {"script", "style", "iframe", "object", "embed", "noscript", "template", "head"}
_HEADINGS = {"h1": "##", "h2": "##", "h3": "###", "h4": "####", "h5": "#####", "h6": "######"}


class ImageNotCarried(ValueError):
    """The text shows an image whose file this app cannot have."""

    def __init__(self, source: str):
        self.source = source
        name = source.rsplit("/", 1)[-1][:60] if not source.startswith("data:") else "data: URL"
        super().__init__(
            f"embeds an image ({name}) that is not on the web; images are not imported"
        )


def to_markdown(text: str, text_format: str = "markdown") -> str:
    """The stored (Markdown) form of a prompt or general feedback written in `text_format`."""
    if text_format == "markdown":
        return text.strip()
    if text_format == "plain":
        return escape_markdown(text).strip()
    if text_format == "moodle":
        text = text.replace("\r\n", "\n").replace("\n", "<br>")
    return html_to_markdown(text)


def to_plain(text: str, text_format: str = "plain") -> str:
    """The stored (plain) form of a choice or an answer's feedback."""
    if text_format in ("html", "moodle"):
        return html_to_text(text)
    return text.strip()


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders as the same text (the blank kept)."""
    pieces = [_escape_piece(piece) for piece in text.split(BLANK)]
    return BLANK.join(pieces)


def _escape_piece(text: str) -> str:
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + _escape_start(m.group(2)), text)


def _escape_start(mark: str) -> str:
    return mark[:-1] + "\\" + mark[-1] if mark[-1] in ".)" else "\\" + mark


def html_to_text(html: str) -> str:
    """The words of an HTML fragment, one line per block, entities decoded."""
    converter = _HtmlToMarkdown(markdown=False)
    converter.feed(html)
    converter.close()
    return converter.result()


def html_to_markdown(html: str) -> str:
    converter = _HtmlToMarkdown(markdown=True)
    converter.feed(html)
    converter.close()
    return converter.result()


class _HtmlToMarkdown(HTMLParser):
    def __init__(self, *, markdown: bool):
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.out: list[str] = []
        self.dropping = 0
        self.pre = 0
        self.code = 0
        self.lists: list[list] = []  # [tag, counter]
        self.links: list[str | None] = []
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.quote = 0

    # --- output helpers ---------------------------------------------------------------

    def _emit(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.out.append(text)

    def _mark(self, text: str) -> None:
        if self.markdown:
            self._emit(text)

    def _block(self) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        prefix = "> " * self.quote if self.markdown else ""
        self.out.append("\n\n" + prefix)

    def result(self) -> str:
        text = "".join(self.out)
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n(> ?)*\n((> ?)*\n)+", "\n\n", text)
        text = re.sub(r"(\n(> ?)*)+$", "", text.rstrip())
        return re.sub(r"^(\s*\n)+", "", text).rstrip()

    # --- parser callbacks ------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag in _DROPPED:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag == "img":
            self._image(attributes)
        elif tag == "br":
            self._emit("\\\n" if self.markdown and self.cell is None and not self.pre else "\n")
        elif tag in _BLOCKS:
            self._block()
        elif tag in _HEADINGS:
            self._block()
            self._mark(_HEADINGS[tag] + " ")
        elif tag in ("strong", "b"):
            self._mark("**")
        elif tag in ("em", "i"):
            self._mark("*")
        elif tag == "code" and not self.pre:
            self.code += 1
            self._mark("`")
        elif tag == "pre":
            self._block()
            self.pre += 1
            self._mark("```\n")
        elif tag == "blockquote":
            self.quote += 1
            self._block()
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self._block()
        elif tag == "li":
            self._list_item()
        elif tag == "a":
            href = (attributes.get("href") or "").strip()
            self.links.append(href if _WEB_URL.match(href) else None)
            if self.links[-1]:
                self._mark("[")
        elif tag == "hr":
            self._block()
            self._mark("---")
            self._block()
        elif tag == "table":
            self._block()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(self.dropping - 1, 0)
            return
        if self.dropping:
            return
        if tag in _BLOCKS or tag in _HEADINGS:
            self._block()
        elif tag in ("strong", "b"):
            self._mark("**")
        elif tag in ("em", "i"):
            self._mark("*")
        elif tag == "code" and not self.pre and self.code:
            self.code -= 1
            self._mark("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self._mark("\n```")
            self._block()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
            self._block()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._block()
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self._mark(f"]({href})")
        elif tag in ("td", "th") and self.cell is not None and self.table is not None:
            if not self.table:
                self.table.append([])
            self.table[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "table" and self.table is not None:
            rows, self.table = self.table, None
            self._emit_table([row for row in rows if row])

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.pre:
            self._emit(data)
            return
        data = re.sub(r"\s+", " ", data)
        if self.markdown and not self.code:
            data = escape_markdown(data)
        elif self.code:
            data = data.replace("`", "'")
        self._emit(data)

    # --- pieces -----------------------------------------------------------------------

    def _image(self, attributes: dict) -> None:
        source = (attributes.get("src") or "").strip()
        if not _WEB_URL.match(source) or source.lower().startswith("mailto:"):
            raise ImageNotCarried(source or "no src")
        alt = attributes.get("alt") or ""
        if self.markdown:
            self._emit(f"![{escape_markdown(alt)}]({source})")
        else:
            self._emit(alt or "[image]")

    def _list_item(self) -> None:
        if not self.lists:
            self.lists.append(["ul", 0])
        kind = self.lists[-1]
        kind[1] += 1
        indent = "   " * (len(self.lists) - 1)
        quote = "> " * self.quote if self.markdown else ""
        bullet = f"{kind[1]}. " if kind[0] == "ol" else "- "
        self._emit("\n" + quote + indent + (bullet if self.markdown else ""))

    def _emit_table(self, rows: list[list[str]]) -> None:
        if not rows:
            return
        if not self.markdown:
            self._emit("\n".join(" | ".join(row) for row in rows))
            self._block()
            return
        width = max(len(row) for row in rows)
        lines = []
        for index, row in enumerate(rows):
            cells = row + [""] * (width - len(row))  # a "|" in a cell is escaped already
            lines.append("| " + " | ".join(cells) + " |")
            if index == 0:
                lines.append("|" + " --- |" * width)
        self._emit("\n".join(lines))
        self._block()


def plain_words(text: str, limit: int = 60) -> str:
    """A short one-line name from Markdown or HTML text (for listings)."""
    words = re.sub(r"<[^>]+>", " ", unescape(text))
    words = re.sub(r"[\\*`#>\[\]]", "", words)  # the blank's underscores stay
    return re.sub(r"\s+", " ", words).strip()[:limit]
