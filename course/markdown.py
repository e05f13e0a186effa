"""Lesson Markdown: CommonMark plus tables and callout containers, sanitised after rendering.

Callouts are written as fenced containers::

    ::: key-insight
    Text in Markdown.
    :::

Rendering happens when a lesson is saved (admin, load_course), never per request. The
HTML is sanitised with nh3 after rendering, so whatever an author writes, no script,
event handler, javascript: URL or htmx attribute reaches a student's page.

`render_key(source)` names one rendering: the Markdown and RENDERER_VERSION, a digest of
this file and the versions of markdown-it-py, its plugins and nh3. A lesson stores the key
of its `body_html`; HTML whose key differs (the text was changed without rendering it, or
the renderer or its allow-lists changed since) is rendered again before it is served.
"""

import hashlib
import re
from importlib.metadata import version
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

CALLOUT_KINDS: dict[str, str] = {
    "key-insight": "Key insight",
    "note": "Note",
    "example": "Example",
    "warning": "Warning",
}

_ALLOWED_TAGS = {
    "a",
    "aside",
    "blockquote",
    "br",
    "code",
    "del",
    "div",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "aside": {"role", "aria-label"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
_ALLOWED_CLASSES = {
    "aside": {"callout", *(f"callout-{kind}" for kind in CALLOUT_KINDS)},
    "p": {"callout-title"},
    "code": {"language-text", "language-python", "language-json", "language-yaml"},
}


def _callout_renderer(kind: str, label: str):
    def render(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            return (
                f'<aside class="callout callout-{kind}" role="note" aria-label="{label}">\n'
                f'<p class="callout-title">{label}</p>\n'
            )
        return "</aside>\n"

    return render


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    for kind, label in CALLOUT_KINDS.items():
        md.use(container_plugin, name=kind, render=_callout_renderer(kind, label))
    return md


_PARSER = _build_parser()

RENDERER_VERSION: str = hashlib.sha256(
    b"\0".join(
        [
            Path(__file__).read_bytes(),
            *(version(name).encode() for name in ("markdown-it-py", "mdit-py-plugins", "nh3")),
        ]
    )
).hexdigest()


def render_key(source: str) -> str:
    """What `render_markdown(source)` gives depends on exactly this (64 hex digits)."""
    return hashlib.sha256(f"{RENDERER_VERSION}\0{source}".encode()).hexdigest()


def render_markdown(source: str) -> str:
    """Render lesson Markdown to sanitised HTML."""
    html = _PARSER.render(source)
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


_CONTAINER_OPEN = re.compile(r"^\s{0,3}:{3,}\s*(\S+)?")


def check_callouts(source: str) -> list[tuple[int, str]]:
    """Return (line, message) for unknown or unclosed callouts, 1-based lines."""
    problems: list[tuple[int, str]] = []
    open_line: int | None = None
    in_fence = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _CONTAINER_OPEN.match(line)
        if not match:
            continue
        name = match.group(1)
        if name is None:
            if open_line is None:
                problems.append((number, "':::' closes a callout that was never opened"))
            open_line = None
        elif open_line is not None:
            problems.append((number, "callouts cannot be nested; close the one above first"))
        elif name not in CALLOUT_KINDS:
            known = ", ".join(CALLOUT_KINDS)
            problems.append((number, f"unknown callout '{name}' (known: {known})"))
        else:
            open_line = number
    if open_line is not None:
        problems.append((open_line, "callout opened here is never closed with ':::'"))
    return problems
