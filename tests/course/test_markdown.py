"""Lesson Markdown renders callouts and tables, and nothing dangerous survives."""

from html.parser import HTMLParser

import pytest

from course.markdown import render_markdown, sanitise_html


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def _assert_harmless(html: str) -> None:
    elements = _Elements(html)
    assert not {"script", "iframe", "object", "embed", "style"} & set(elements.tags)
    for name, value in elements.attributes:
        assert not name.startswith("on"), name
        assert not name.startswith(("hx-", "data-hx-")), name
        assert not value.strip().lower().startswith("javascript:"), value


def test_it_renders_a_key_insight_callout_as_a_labelled_note():
    html = render_markdown("::: key-insight\nSFT teaches **access**.\n:::\n")
    assert (
        '<aside class="callout callout-key-insight" role="note" aria-label="Key insight">' in html
    )
    assert "<strong>access</strong>" in html


def test_it_renders_tables_with_alignment():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert '<th style="text-align:left">a</th>' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        '<img src="x" onerror="alert(1)">',
        '<a href="/x" hx-get="/admin/" hx-trigger="load">x</a>',
        '<div data-hx-post="/delete">x</div>',
        "![x](javascript:alert(1))",
    ],
)
def test_it_never_lets_scripts_handlers_or_htmx_attributes_through(source):
    _assert_harmless(render_markdown(source))


@pytest.mark.parametrize(
    "html",
    [
        '<p onclick="steal()">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<div hx-get="/admin/">x</div>',
        '<div data-hx-post="/x">x</div>',
        "<script>alert(1)</script>",
        '<iframe src="https://evil.example"></iframe>',
        '<aside class="callout evil">x</aside>',
    ],
)
def test_the_sanitiser_strips_dangerous_html_even_if_markdown_produced_it(html):
    cleaned = sanitise_html(html)
    _assert_harmless(cleaned)
    assert "evil" not in cleaned and "steal" not in cleaned


def test_it_keeps_safe_links_and_marks_them_noopener():
    html = render_markdown("[paper](https://arxiv.org/abs/2210.10760)")
    assert 'href="https://arxiv.org/abs/2210.10760"' in html
    assert 'rel="noopener noreferrer"' in html
