"""Releasing grades: students see a person's score, rubric levels and comment only once
released, as each answer is graded (the default) or when an instructor releases the quiz."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import ReleaseMode
from tests.quizzes.grading_factories import grading_class

pytestmark = pytest.mark.django_db


def _manual():
    built = grading_class()
    built.quiz.release_grades = ReleaseMode.MANUAL
    built.quiz.save()
    return built


def _release(client, built):
    url = reverse("quizzes:release", args=[built.course_class.pk])
    return client.post(url, {"quiz": built.quiz.pk})


def test_by_default_the_student_sees_the_grade_as_soon_as_it_is_given(client):
    built = grading_class()
    services.response_grade(
        response=built.essay_of(built.ann), grader=built.gina, levels=[1], comment="Well argued"
    )
    client.force_login(built.ann)
    page = client.get(built.attempt(built.ann).get_absolute_url()).text
    assert "<strong>4</strong> of 4 points." in page and "Well argued" in page
    assert "(your grade)" in page


def test_under_manual_release_the_student_waits_until_an_instructor_releases(client, instructor):
    built = _manual()
    services.response_grade(
        response=built.essay_of(built.ann), grader=built.gina, levels=[1], comment="Well argued"
    )
    attempt = built.attempt(built.ann)
    assert attempt.grades_hidden and attempt.score == Decimal(4)

    client.force_login(built.ann)
    result = client.get(attempt.get_absolute_url()).text
    assert "<strong>1</strong> of 4 points so far: your written answers are waiting" in result
    assert "Well argued" not in result and "(your grade)" not in result
    assert "3 of 3 points" not in result
    quiz_page = client.get(built.quiz.get_absolute_url()).text
    assert "Waiting for a grader" in quiz_page and "4 / 4" not in quiz_page

    client.force_login(instructor)
    assert _release(client, built).status_code == 302
    attempt.refresh_from_db()
    assert not attempt.grades_hidden
    client.force_login(built.ann)
    result = client.get(attempt.get_absolute_url()).text
    assert "<strong>4</strong> of 4 points." in result and "Well argued" in result


def test_staff_see_an_unreleased_grade_marked_as_such(client, instructor):
    built = _manual()
    services.response_grade(response=built.essay_of(built.ann), grader=built.gina, levels=[1])
    client.force_login(instructor)
    page = client.get(built.attempt(built.ann).get_absolute_url()).text
    assert "<strong>4</strong> of 4 points" in page and "Not released" in page
    assert "Grade or override" in page and "Override the score" in page
    queue = client.get(reverse("quizzes:grading", args=[built.course_class.pk])).text
    assert 'data-testid="unreleased">1 not released' in queue


def test_a_grade_changed_after_release_waits_for_the_next_release(client, instructor):
    built = _manual()
    answer = built.essay_of(built.ann)
    services.response_grade(response=answer, grader=built.gina, levels=[1], comment="First")
    client.force_login(instructor)
    _release(client, built)
    services.response_grade(response=answer, grader=built.gina, levels=[0], comment="Second")
    client.force_login(built.ann)
    result = client.get(built.attempt(built.ann).get_absolute_url()).text
    assert "Second" not in result and "waiting for a grader" in result


def test_an_instructor_switches_a_quiz_to_manual_release_and_anonymous_grading(client, instructor):
    built = grading_class()
    client.force_login(instructor)
    url = reverse("quizzes:grading-settings", args=[built.course_class.pk, built.quiz.pk])
    response = client.post(url, {"release_grades": "manual", "anonymous_grading": "on"})
    assert response.status_code == 302
    built.quiz.refresh_from_db()
    assert built.quiz.release_grades == "manual" and built.quiz.anonymous_grading
    client.post(url, {"release_grades": "on-grading"})  # reveals the names again
    built.quiz.refresh_from_db()
    assert built.quiz.release_grades == "on-grading" and not built.quiz.anonymous_grading


@pytest.mark.parametrize("who", ["gina", "ann"])
def test_graders_and_students_neither_release_nor_change_the_settings(client, who):
    built = _manual()
    services.response_grade(response=built.essay_of(built.ann), grader=built.gina, levels=[1])
    client.force_login(getattr(built, who))
    assert _release(client, built).status_code == 404
    url = reverse("quizzes:grading-settings", args=[built.course_class.pk, built.quiz.pk])
    assert client.post(url, {"release_grades": "on-grading"}).status_code == 404
    built.quiz.refresh_from_db()
    assert built.quiz.release_grades == "manual"
    assert built.attempt(built.ann).grades_hidden
