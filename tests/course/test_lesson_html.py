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
