"""Lesson diagrams: accessible SVG files served as static files, referenced from the lessons
that teach them, and lesson images that the sanitiser keeps harmless."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from course.markdown import render_markdown, sanitise_html

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "content" / "alignment-training" / "lessons"
DIAGRAMS = ROOT / "static" / "course" / "diagrams"
SVG = "{http://www.w3.org/2000/svg}"
PHONE_COLUMN_PX = 358  # a 390 px wide phone less main's 1rem padding on each side
WHITE = (255, 255, 255)

EXPECTED = {
    "rlhf-pipeline.svg": "what-alignment-changes",
    "reward-kl-tradeoff.svg": "reward-hacking-and-goodhart",
    "refusal-frontier.svg": "over-and-under-refusal",
}


def _images(slug: str) -> list[tuple[str, str]]:
    body = (LESSONS / f"{slug}.md").read_text(encoding="utf-8").split("---", 2)[2]
    return re.findall(r'<img src="([^"]+)" alt="([^"]*)"', render_markdown(body))


def _all_images() -> dict[str, list[tuple[str, str]]]:
    return {path.stem: _images(path.stem) for path in sorted(LESSONS.glob("*.md"))}


def _diagrams() -> list[Path]:
    return sorted(DIAGRAMS.glob("*.svg"))


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(colour: str, background: tuple[int, int, int]) -> float:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    lighter, darker = sorted((_luminance(rgb), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_each_diagram_is_shown_in_the_lesson_it_teaches():
    images = _all_images()
    for name, slug in EXPECTED.items():
        assert f"/static/course/diagrams/{name}" in [src for src, _ in images[slug]], name


def test_every_image_a_lesson_shows_is_a_static_file_with_alt_text():
    for slug, images in _all_images().items():
        for src, alt in images:
            assert src.startswith("/static/"), (slug, src)
            assert finders.find(src.removeprefix("/static/")), (slug, src)
            assert len(alt) > 40, (slug, src)  # describes the figure, not just names it


def test_every_diagram_file_is_used_by_a_lesson():
    used = {src for images in _all_images().values() for src, _ in images}
    assert {f"/static/course/diagrams/{p.name}" for p in _diagrams()} <= used
    assert {p.name for p in _diagrams()} >= set(EXPECTED)


@pytest.mark.parametrize("path", _diagrams(), ids=lambda p: p.name)
def test_a_diagram_is_an_accessible_image_with_a_title_and_a_description(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text.strip()
    assert desc is not None and len(desc.text.strip()) > 80
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert len(root.findall(f".//{SVG}text")) >= 5  # labels are text, not outlines


@pytest.mark.parametrize("path", _diagrams(), ids=lambda p: p.name)
def test_a_diagram_carries_no_script_and_nothing_that_loads_or_runs(path):
    root = ET.parse(path).getroot()
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag not in {"script", "foreignObject", "iframe", "image", "use", "a"}, tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert "javascript:" not in value.lower(), (tag, name)
            assert "href" not in name or value.startswith("#"), (tag, name)
    assert "<!ENTITY" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", _diagrams(), ids=lambda p: p.name)
def test_a_diagrams_text_is_readable_on_a_phone_and_contrasts_with_its_background(path):
    root = ET.parse(path).getroot()
    width = float(root.get("viewBox").split()[2])
    scale = min(1.0, PHONE_COLUMN_PX / width)
    background = root.find(f"{SVG}rect")
    assert background.get("fill") == "#ffffff"  # its own background, in light and dark pages
    for text in root.iter(f"{SVG}text"):
        assert float(text.get("font-size")) * scale >= 10.5, text.text
        assert _contrast(text.get("fill"), WHITE) >= 4.5, (text.text, text.get("fill"))


class _Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


@pytest.mark.parametrize(
    "source",
    [
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
        '![x](/static/a.svg "t")<img src=x onerror=alert(1)>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_lesson_markdown_makes_no_image_that_can_run_script(source):
    elements = _Elements(render_markdown(source)).elements
    assert {tag for tag, _ in elements} <= {"p", "img"}
    for _, attributes in elements:
        assert set(attributes) <= {"src", "alt", "title"}
        assert attributes.get("src", "/").startswith("/")


@pytest.mark.parametrize(
    "html",
    [
        '<img src="javascript:alert(1)" alt="x">',
        '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;" alt="x">',
        '<img src="/static/a.svg" alt="x" onerror="alert(1)" onload="alert(1)">',
        '<img src="/static/a.svg" alt="x" style="background:url(javascript:alert(1))">',
        '<svg><script>alert(1)</script><image href="/x.svg" /></svg>',
    ],
)
def test_the_sanitiser_refuses_script_in_an_image_or_its_attributes(html):
    elements = _Elements(sanitise_html(html)).elements
    assert {tag for tag, _ in elements} <= {"img"}
    for _, attributes in elements:
        assert set(attributes) <= {"src", "alt", "title"}
        assert attributes.get("src", "/static/").startswith("/static/")


def test_a_lesson_image_keeps_its_source_alt_and_title():
    html = render_markdown('![A chart of rewards](/static/course/diagrams/x.svg "Rewards")')
    assert html.strip() == (
        '<p><img src="/static/course/diagrams/x.svg" alt="A chart of rewards" title="Rewards"></p>'
    )
