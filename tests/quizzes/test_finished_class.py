"""A finished (archived) class: its students read the quiz, their attempts and the
lessons, but see no button that would only be refused; a line says why."""

import pytest
from django.urls import reverse

from cohorts.models import CourseClass
from quizzes import services
from tests.quizzes.factories import make_quiz

pytestmark = pytest.mark.django_db

FINISHED = "This class has finished; you can read everything but not change it."


def _finish(course) -> None:
    CourseClass.objects.filter(course=course).update(archived=True)


def test_a_running_class_offers_start_submit_and_mark_complete(client, student):
    quiz = make_quiz()
    client.force_login(student)
    assert "Start the quiz" in client.get(quiz.get_absolute_url()).text
    attempt = services.attempt_start(user=student, quiz=quiz)
    page = client.get(attempt.get_absolute_url()).text
    assert "Submit attempt" in page and "hx-post" in page and FINISHED not in page
    lesson = client.get(reverse("course:lesson", args=[quiz.course.slug, "m1-lesson-1"])).text
    assert "Mark as complete" in lesson and 'name="rating"' in lesson


def test_the_quiz_page_of_a_finished_class_offers_no_start(client, student):
    quiz = make_quiz()
    services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    _finish(quiz.course)
    client.force_login(student)
    page = client.get(quiz.get_absolute_url()).text
    assert FINISHED in page
    assert (
        "Start a new attempt" not in page
        and reverse("quizzes:start", args=[quiz.course.slug, quiz.key]) not in page
    )
    assert "Attempt 1" in page  # the student's results stay readable


def test_an_open_attempt_of_a_finished_class_is_shown_without_save_or_submit(client, student):
    quiz = make_quiz()
    attempt = services.attempt_start(user=student, quiz=quiz)
    _finish(quiz.course)
    client.force_login(student)
    quiz_page = client.get(quiz.get_absolute_url()).text
    assert "Continue attempt" not in quiz_page and "as you left it" in quiz_page
    page = client.get(attempt.get_absolute_url()).text
    assert FINISHED in page
    assert "Submit attempt" not in page and "Save answers" not in page
    assert "hx-post" not in page and reverse("quizzes:submit", args=[attempt.pk]) not in page
    assert " disabled>" in page


def test_a_lesson_of_a_finished_class_has_no_mark_complete_or_rating_buttons(client, student):
    quiz = make_quiz()
    _finish(quiz.course)
    client.force_login(student)
    lesson = client.get(reverse("course:lesson", args=[quiz.course.slug, "m1-lesson-1"])).text
    assert "Your class has finished" in lesson
    assert "Mark as complete" not in lesson and "Mark as not complete" not in lesson
    assert 'name="rating"' not in lesson and "ratings are no longer saved" in lesson
