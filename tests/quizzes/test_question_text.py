"""Text from other systems' files: HTML to Markdown, plain text escaped, Markdown kept, the
missing-word blank kept, images that cannot be carried refused."""

import pytest

from quizzes.question_text import (
    ImageNotCarried,
    html_to_text,
    plain_words,
    to_markdown,
    to_plain,
)


def test_html_keeps_its_shape_as_markdown():
    html = (
        "<h2>Title</h2><p>A <strong>bold</strong> and <em>soft</em> word, <code>x*y</code>.</p>"
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        '<p><a href="https://example.org/a">link</a> <a href="javascript:alert(1)">bad</a></p>'
        "<table><tr><th>k</th><th>v</th></tr><tr><td>a|b</td><td>1</td></tr></table>"
        "<pre>code  kept</pre><blockquote><p>quoted</p></blockquote>"
    )
    assert to_markdown(html, "html") == (
        "## Title\n\nA **bold** and *soft* word, `x*y`.\n\n- one\n- two\n\n1. first\n\n"
        "[link](https://example.org/a) bad\n\n| k | v |\n| --- | --- |\n| a\\|b | 1 |\n\n"
        "```\ncode  kept\n```\n\n> quoted"
    )


def test_scripts_styles_and_their_content_are_dropped():
    html = "<p>Hi<script>alert(1)</script><style>p{}</style><iframe src=x>z</iframe></p>"
    assert to_markdown(html, "html") == "Hi"


def test_plain_text_is_escaped_so_it_shows_as_typed_with_the_blank_kept():
    assert to_markdown("# not a heading *x* _____ <b>", "plain") == (
        "\\# not a heading \\*x\\* _____ \\<b\\>"
    )


def test_markdown_is_kept_and_moodle_auto_format_turns_newlines_into_breaks():
    assert to_markdown("**b**\n\n_i_", "markdown") == "**b**\n\n_i_"
    assert to_markdown("line one\nline two", "moodle") == "line one\\\nline two"


def test_choices_and_feedback_become_plain_words():
    assert html_to_text("<p>A &amp; <b>B</b></p><p>C</p>") == "A & B\n\nC"
    assert to_plain("<i>x</i>", "markdown") == "<i>x</i>"


def test_a_web_image_is_kept_and_one_from_a_file_store_is_refused():
    assert to_markdown('<img src="https://x.org/a.png" alt="A">', "html") == (
        "![A](https://x.org/a.png)"
    )
    with pytest.raises(ImageNotCarried, match="a.png"):
        to_markdown('<img src="@@PLUGINFILE@@/a.png">', "html")
    with pytest.raises(ImageNotCarried, match="data: URL"):
        to_markdown('<img src="data:image/png;base64,AAAA">', "html")


def test_a_listing_name_drops_markup_but_keeps_the_blank():
    assert plain_words("Grant is **_____** in \\[the\\] tomb.") == "Grant is _____ in the tomb."
