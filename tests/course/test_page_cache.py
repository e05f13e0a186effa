"""The lesson page kept for a browser for a minute (course/page_cache.py): a view again is
cheap, and whatever could change the page shows on the next view."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import CourseClass, Enrollment
from course.models import Lesson
from course.page_cache import GENERATION_COOKIE
from tests.factories import enroll, make_user


def _url(lesson_slug: str = "m1-lesson-1", course_slug: str = "demo-course") -> str:
    return reverse("course:lesson", args=[course_slug, lesson_slug])


@pytest.fixture
def reader(client, student, course):
    """A signed-in student who has opened the lesson twice: the first view gave the browser
    its CSRF and generation cookies (a page without them is not kept), the second one
    left a kept copy."""
    client.force_login(student)
    assert client.get(_url()).status_code == 200
    assert GENERATION_COOKIE in client.cookies and "csrftoken" in client.cookies
    assert client.get(_url()).status_code == 200
    return client


def test_a_lesson_viewed_again_costs_three_queries(
    sessions_in_the_database, reader, django_assert_num_queries
):
    """The session, the user and the course through the student's class (the access check,
    which also reads what the key needs); nothing of the lesson itself."""
    with django_assert_num_queries(3):
        response = reader.get(_url())
    assert response.status_code == 200 and "Lesson 1 of 4" in response.text


def test_with_a_shared_cache_a_lesson_viewed_again_costs_two_queries(
    sessions_in_a_shared_cache, reader, django_assert_num_queries
):
    """The session comes from the cache: the user and the course are read."""
    with django_assert_num_queries(2):
        response = reader.get(_url())
    assert response.status_code == 200 and "Lesson 1 of 4" in response.text


def test_the_kept_page_is_the_rendered_page(reader):
    first = reader.get(_url("m1-lesson-2")).text
    assert reader.get(_url("m1-lesson-2")).text == first


def test_marking_the_lesson_complete_shows_on_the_next_view(reader):
    assert "Mark as complete" in reader.get(_url()).text
    reader.post(
        reverse("course:lesson-complete", args=["demo-course", "m1-lesson-1"]), {"complete": "1"}
    )
    assert "Mark as not complete" in reader.get(_url()).text


def test_rating_a_card_shows_on_the_next_view(reader):
    assert "New card" in reader.get(_url()).text
    response = reader.post(
        reverse("course:flashcard-rate", args=["demo-course", "card-1-1-1"]),
        {"rating": "3", "sequence": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Next review: in" in reader.get(_url()).text


def test_any_request_that_may_write_renews_the_generation_even_when_refused(reader):
    before = reader.cookies[GENERATION_COOKIE].value
    assert reader.post(_url()).status_code == 405
    assert reader.cookies[GENERATION_COOKIE].value != before


def test_a_read_keeps_the_generation(reader):
    before = reader.cookies[GENERATION_COOKIE].value
    reader.get(_url("m1-lesson-2"))
    assert reader.cookies[GENERATION_COOKIE].value == before


def test_an_authors_edit_of_the_lesson_shows_at_once(reader):
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    lesson.title = "A better title"
    lesson.save()  # moves the course's updated_at, which the key holds
    assert "A better title" in reader.get(_url()).text


def test_unpublishing_the_lesson_hides_it_at_once(reader):
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    lesson.published = False
    lesson.save()
    assert reader.get(_url()).status_code == 404


def test_a_student_removed_from_the_class_is_refused_at_once(reader, student):
    Enrollment.objects.filter(user=student).delete()
    assert reader.get(_url()).status_code in (403, 404)


def test_an_archived_class_shows_the_page_read_only_at_once(reader):
    CourseClass.objects.update(archived=True)
    text = reader.get(_url()).text
    assert 'data-testid="read-only"' in text and "Mark as complete" not in text


def test_a_student_made_an_author_sees_the_authors_page_at_once(reader, student, course):
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    Lesson.objects.filter(pk=lesson.pk).update(published=False)  # no signal: the key keeps
    assert reader.get(_url()).status_code == 200  # the kept page, within the minute
    student.user_permissions.add(Permission.objects.get(codename="change_lesson"))
    response = reader.get(_url())
    assert response.status_code == 200 and '<span class="badge">Draft</span>' in response.text


def test_another_users_page_is_never_served_even_with_the_same_cookies(reader, course):
    other = make_user("mallory")
    enroll(other, course)
    thief = Client()
    thief.force_login(other)
    for name in (GENERATION_COOKIE, "csrftoken"):
        thief.cookies[name] = reader.cookies[name].value
    text = thief.get(_url()).text
    assert "mallory" in text and "alice" not in text


def test_a_page_with_a_query_string_is_rendered_every_time(reader):
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = reader.get(_url(), {"reveal": "card-1-1-1"})
        assert response.status_code == 200 and 'class="flashcard is-revealed"' in response.text
        assert len(queries) > 3  # the lesson, its cards and their states were read


def _message_cookie(text: str) -> tuple[str, str]:
    """The messages cookie a redirect after a form leaves (Django's cookie storage)."""
    storage = CookieStorage(RequestFactory().get("/"))
    return storage.cookie_name, storage._encode([Message(constants.SUCCESS, text)])


def test_a_one_time_message_is_shown_and_not_kept(reader):
    name, value = _message_cookie("Welcome back to the course.")
    reader.cookies[name] = value
    assert "Welcome back to the course." in reader.get(_url()).text
    assert "Welcome back to the course." not in reader.get(_url()).text


def test_a_browser_without_the_generation_cookie_gets_one_and_a_rendered_page(
    client, student, course
):
    client.force_login(student)
    response = client.get(_url())
    assert response.status_code == 200 and GENERATION_COOKIE in response.cookies
    assert response.cookies[GENERATION_COOKIE]["httponly"]


def test_an_anonymous_request_gets_no_generation_cookie(client, course):
    response = client.get("/healthz/")
    assert GENERATION_COOKIE not in response.cookies
