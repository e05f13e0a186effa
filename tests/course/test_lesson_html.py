"""A lesson's HTML is rendered and sanitised when the lesson is saved or imported, stored
in `body_html`, and read as it is by the lesson page: identical to render_markdown."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from course import markdown
from course.markdown import render_markdown
from course.models import Lesson
from tests.factories import enroll, make_course

pytestmark = pytest.mark.django_db
fill = importlib.import_module("course.migrations.0003_lesson_body_html_fill")
keyed = importlib.import_module("course.migrations.0004_lesson_body_html_key")


def test_an_imported_lesson_stores_exactly_what_render_markdown_gives():
    make_course()
    for lesson in Lesson.objects.all():
        assert lesson.body_html == render_markdown(lesson.body_markdown)
        assert 'class="callout callout-key-insight"' in lesson.body_html


def test_the_lesson_page_serves_the_stored_html_without_rendering(client, student, monkeypatch):
    course = make_course()
    enroll(student, course)
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    client.force_login(student)

    def refuse(source):
        raise AssertionError("the lesson page rendered Markdown")

    monkeypatch.setattr(markdown, "render_markdown", refuse)
    monkeypatch.setattr(markdown, "sanitise_html", refuse)
    response = client.get(reverse("course:lesson", args=[course.slug, lesson.slug]))
    assert response.status_code == 200
    assert lesson.body_html in response.text


def test_the_migration_fills_missing_and_stale_html_and_leaves_the_rest():
    make_course()
    empty, stale, current = Lesson.objects.order_by("pk")[:3]
    Lesson.objects.filter(pk=empty.pk).update(body_html="")
    Lesson.objects.filter(pk=stale.pk).update(body_html="<p>old renderer</p>")
    fill.fill_body_html(apps, None)
    for lesson in Lesson.objects.all():
        assert lesson.body_html == render_markdown(lesson.body_markdown)
    current.refresh_from_db()
    assert current.body_html == render_markdown(current.body_markdown)


def _page(client, student, lesson: Lesson) -> str:
    client.force_login(student)
    response = client.get(reverse("course:lesson", args=[lesson.course.slug, lesson.slug]))
    assert response.status_code == 200
    return response.text


def test_every_stored_lesson_carries_the_key_of_its_html():
    make_course()
    for lesson in Lesson.objects.all():
        assert lesson.body_html_key == markdown.render_key(lesson.body_markdown)
        assert lesson.body_html_is_current


def test_text_changed_without_rendering_is_rendered_again_before_it_is_served(client, student):
    enroll(student, make_course())
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    # A write that bypasses render_body (a shell, a bulk update): the stored HTML is stale.
    Lesson.objects.filter(pk=lesson.pk).update(body_markdown="Now about **reward models**.")
    text = _page(client, student, lesson)
    assert "<strong>reward models</strong>" in text
    assert "callout-key-insight" not in text  # nothing of the old text is served
    lesson.refresh_from_db()
    assert lesson.body_html == render_markdown("Now about **reward models**.")
    assert lesson.body_html_is_current


def test_a_renderer_change_renders_every_lesson_again_when_next_viewed(
    client, student, monkeypatch
):
    enroll(student, make_course())
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    old_key = lesson.body_html_key
    # What a change to course/markdown.py or to nh3's version does to RENDERER_VERSION;
    # the new renderer draws callouts differently.
    monkeypatch.setattr(markdown, "RENDERER_VERSION", "a newer renderer")
    real_render = markdown.render_markdown
    monkeypatch.setattr(
        markdown, "render_markdown", lambda source: real_render(source) + "<p>newer</p>"
    )
    monkeypatch.setattr("course.models.render_markdown", markdown.render_markdown)
    assert "<p>newer</p>" in _page(client, student, lesson)
    lesson.refresh_from_db()
    assert lesson.body_html_key != old_key
    assert lesson.body_html_key == markdown.render_key(lesson.body_markdown)


def test_a_current_lesson_is_not_written_when_viewed(client, student, monkeypatch):
    enroll(student, make_course())
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    before = Lesson.objects.values("body_html", "body_html_key", "updated_at").get(pk=lesson.pk)
    _page(client, student, lesson)
    _page(client, student, lesson)
    assert (
        Lesson.objects.values("body_html", "body_html_key", "updated_at").get(pk=lesson.pk)
        == before
    )


def test_load_course_renders_again_a_lesson_whose_html_is_stale_though_its_text_is_not():
    course = make_course()
    lesson = Lesson.objects.get(course=course, slug="m1-lesson-1")
    Lesson.objects.filter(pk=lesson.pk).update(body_html="<p>old renderer</p>", body_html_key="x")
    make_course()  # the same bundle again
    lesson.refresh_from_db()
    assert lesson.body_html == render_markdown(lesson.body_markdown)
    assert lesson.body_html_is_current


def test_the_key_migration_renders_rows_without_a_current_key_and_stores_it():
    make_course()
    unkeyed, stale = Lesson.objects.order_by("pk")[:2]
    Lesson.objects.filter(pk=unkeyed.pk).update(body_html_key="")
    Lesson.objects.filter(pk=stale.pk).update(body_html="<p>old</p>", body_html_key="old")
    keyed.render_every_lesson(apps, None)
    for lesson in Lesson.objects.all():
        assert lesson.body_html == render_markdown(lesson.body_markdown)
        assert lesson.body_html_is_current
