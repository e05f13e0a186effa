from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from course.models import Lesson, LessonProgress
from tests.factories import enroll, make_course


def _url(lesson_slug: str, course_slug: str = "demo-course") -> str:
    return reverse("course:lesson", args=[course_slug, lesson_slug])


def test_it_renders_the_lesson_with_its_callout_and_flashcards(client, student, course):
    client.force_login(student)
    response = client.get(_url("m1-lesson-2"))
    assert response.status_code == 200
    text = response.text
    assert "<h2>Part 1.2</h2>" in text
    assert 'class="callout callout-key-insight"' in text
    assert "Question 1.2.1?" in text
    assert "Lesson 2 of 4" in text


def test_it_links_the_previous_and_next_lessons_across_modules(client, student, course):
    client.force_login(student)
    text = client.get(_url("m1-lesson-2")).text
    assert f'rel="prev" href="{_url("m1-lesson-1")}"' in text
    assert f'rel="next" href="{_url("m2-lesson-1")}"' in text


def test_the_last_lesson_links_back_to_the_course(client, student, course):
    client.force_login(student)
    text = client.get(_url("m2-lesson-2")).text
    assert 'rel="next"' not in text and "Back to the course" in text


def test_it_records_that_i_viewed_the_lesson(client, student, course):
    client.force_login(student)
    client.get(_url("m1-lesson-1"))
    client.get(_url("m1-lesson-1"))
    assert LessonProgress.objects.filter(user=student, lesson__slug="m1-lesson-1").count() == 1


def test_it_returns_404_for_an_unpublished_lesson_to_students(client, student, course):
    Lesson.objects.filter(slug="m1-lesson-1").update(published=False)
    client.force_login(student)
    assert client.get(_url("m1-lesson-1")).status_code == 404


def test_it_returns_404_for_a_lesson_in_an_unpublished_module(client, student, course):
    course.modules.filter(slug="module-1").update(published=False)
    client.force_login(student)
    assert client.get(_url("m1-lesson-1")).status_code == 404


def test_it_returns_404_for_an_archived_lesson_even_to_instructors(client, instructor, course):
    Lesson.objects.filter(slug="m1-lesson-1").update(archived=True)
    client.force_login(instructor)
    assert client.get(_url("m1-lesson-1")).status_code == 404


def test_it_returns_404_for_a_lesson_of_a_draft_course(client, student):
    make_course("draft", published=False)
    client.force_login(student)
    assert client.get(_url("m1-lesson-1", "draft")).status_code == 404


def test_instructors_preview_unpublished_lessons_marked_as_drafts(client, instructor, course):
    Lesson.objects.filter(slug="m1-lesson-1").update(published=False)
    client.force_login(instructor)
    response = client.get(_url("m1-lesson-1"))
    assert response.status_code == 200 and "Draft" in response.text


def test_a_lesson_slug_from_another_course_is_not_found_here(client, student, course):
    make_course("other", modules=1, lessons_per_module=1)
    Lesson.objects.filter(course__slug="other").update(slug="only-in-other")
    client.force_login(student)
    assert client.get(_url("only-in-other")).status_code == 404


def test_it_requires_login(client, course):
    response = client.get(_url("m1-lesson-1"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_post(client, student, course):
    client.force_login(student)
    assert client.post(_url("m1-lesson-1")).status_code == 405


@pytest.mark.parametrize(("lessons", "cards"), [(1, 1), (12, 40)])
def test_it_issues_a_constant_number_of_queries_whatever_the_lesson_size(
    client, student, django_assert_max_num_queries, lessons, cards
):
    enroll(
        student, make_course("sized", modules=2, lessons_per_module=lessons, cards_per_lesson=cards)
    )
    client.force_login(student)
    with django_assert_max_num_queries(16):  # +1 the lesson order, first read per course
        assert client.get(_url("m1-lesson-1", "sized")).status_code == 200


# A query string: the page is rendered, not served from the copy kept for the browser
# (tests/course/test_page_cache.py), as on a first view or one after a write.
RENDERED = {"from": "pager"}


def test_a_lesson_rendered_again_costs_ten_queries_whatever_its_size(
    client, student, django_assert_max_num_queries
):
    """Session, user, the course through the student's class, the lesson by key (the
    visible lessons in order come from the cache, and "not an author" too), the progress
    row (not written again within a minute), the cards and their states, the Review
    badge, the lesson's quizzes and labs."""
    enroll(student, make_course("sized", modules=2, lessons_per_module=12, cards_per_lesson=40))
    client.force_login(student)
    assert client.get(_url("m1-lesson-1", "sized"), RENDERED).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(_url("m1-lesson-1", "sized"), RENDERED).status_code == 200


def test_a_lesson_rendered_again_with_a_shared_cache_costs_eight_queries(
    client, student, django_assert_max_num_queries, settings
):
    """With a cache every web process shares (production's Redis), the session and the
    Review badge are read from it too."""
    settings.CACHE_SHARED = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    enroll(student, make_course("sized", modules=2, lessons_per_module=12, cards_per_lesson=40))
    client.force_login(student)
    assert client.get(_url("m1-lesson-1", "sized"), RENDERED).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(_url("m1-lesson-1", "sized"), RENDERED).status_code == 200


def test_a_reload_within_a_minute_does_not_write_the_view_again(client, student, course):
    client.force_login(student)
    client.get(_url("m1-lesson-1"), RENDERED)
    first = LessonProgress.objects.get(user=student, lesson__slug="m1-lesson-1").last_viewed_at
    client.get(_url("m1-lesson-1"), RENDERED)
    row = LessonProgress.objects.get(user=student, lesson__slug="m1-lesson-1")
    assert row.last_viewed_at == first


def test_a_view_a_minute_after_the_last_one_is_recorded(client, student, course):
    client.force_login(student)
    client.get(_url("m1-lesson-1"))
    earlier = timezone.now() - timedelta(seconds=61)
    LessonProgress.objects.filter(user=student).update(last_viewed_at=earlier)
    client.get(_url("m1-lesson-1"))
    row = LessonProgress.objects.get(user=student, lesson__slug="m1-lesson-1")
    assert row.last_viewed_at > earlier + timedelta(seconds=60)
