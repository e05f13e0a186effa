"""A student's grades page per course: every quiz with its grade by the quiz's method,
released grades only, due dates and late flags; only ever their own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import DueDate
from course.roles import STUDENT
from quizzes import services
from quizzes.models import Attempt, ReleaseMode
from tests.factories import make_user
from tests.quizzes.grading_factories import grading_class

pytestmark = pytest.mark.django_db


def _page(client, built, user):
    client.force_login(user)
    return client.get(reverse("quizzes:grades", args=[built.quiz.course.slug]))


def test_the_page_shows_each_quiz_with_the_released_grade_and_the_method(client):
    built = grading_class()
    services.response_grade(response=built.essay_of(built.ann), grader=built.gina, levels=[1])
    page = _page(client, built, built.ann)
    assert page.status_code == 200
    assert "<strong>4</strong> of 4 (100%)" in page.text and "Highest attempt" in page.text


def test_an_unreleased_or_ungraded_grade_is_pending_not_a_number(client):
    built = grading_class()
    built.quiz.release_grades = ReleaseMode.MANUAL
    built.quiz.save()
    services.response_grade(response=built.essay_of(built.ann), grader=built.gina, levels=[1])
    assert 'data-testid="pending">waiting for a grader' in _page(client, built, built.ann).text
    assert 'data-testid="pending">waiting for a grader' in _page(client, built, built.ben).text


def test_a_late_attempt_is_flagged(client):
    built = grading_class()
    DueDate.objects.create(
        course_class=built.course_class, item=built.quiz, due_at=timezone.now() - timedelta(1)
    )
    Attempt.objects.filter(user=built.ann).update(submitted_late=True)
    assert "Late" in _page(client, built, built.ann).text


def test_the_page_shows_only_the_students_own_grades(client):
    built = grading_class()
    services.response_grade(response=built.essay_of(built.ben), grader=built.walt, levels=[0])
    page = _page(client, built, built.ann).text
    assert "1 of 4" not in page and str(built.attempt(built.ben).get_absolute_url()) not in page


def test_someone_in_no_class_of_the_course_is_refused(client):
    built = grading_class()
    assert _page(client, built, make_user("olga", STUDENT)).status_code == 403


def test_the_course_page_links_to_the_grades(client):
    built = grading_class()
    client.force_login(built.ann)
    page = client.get(built.quiz.course.get_absolute_url()).text
    assert reverse("quizzes:grades", args=[built.quiz.course.slug]) in page
