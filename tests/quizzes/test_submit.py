"""Submitting an attempt: final, once, with the posted answers unless they are stale."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Attempt, Response
from tests.quizzes.factories import field_names, make_quiz

pytestmark = pytest.mark.django_db


def _url(attempt: Attempt) -> str:
    return reverse("quizzes:submit", args=[attempt.pk])


def test_it_saves_the_posted_answers_grades_and_shows_the_result(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {
        f"q-{ids['single-q']}": "b",
        f"rev-{ids['single-q']}": "0",
        f"q-{ids['multi-q']}": ["a", "b"],
        f"rev-{ids['multi-q']}": "0",
    }
    response = client.post(_url(attempt), form, follow=True)
    assert "Submitted. Here is your result." in response.text
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.score == Decimal(2)


def test_a_double_click_gives_one_graded_attempt(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    client.post(
        _url(attempt), {f"q-{ids['single-q']}": "b", f"rev-{ids['single-q']}": "0"}, follow=True
    )
    second = client.post(
        _url(attempt), {f"q-{ids['single-q']}": "a", f"rev-{ids['single-q']}": "0"}, follow=True
    )
    assert "Submitted." not in second.text and "already been submitted" in second.text
    assert Attempt.objects.filter(user=student).count() == 1
    assert Response.objects.get(question_id=ids["single-q"]).answer == {"choice": "b"}


def test_a_stale_tab_submit_keeps_the_newer_answer_and_says_so(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)})
    client.force_login(student)
    form = {f"q-{ids['single-q']}": "c", f"rev-{ids['single-q']}": "0"}
    response = client.post(_url(attempt), form, follow=True)
    assert "changed in another tab or window" in response.text
    assert Response.objects.get(question_id=ids["single-q"]).answer == {"choice": "b"}


def test_other_students_and_staff_cannot_submit_it(client, student, other_student, instructor):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    for user in (other_student, instructor):
        client.force_login(user)
        assert client.post(_url(attempt), {}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_it_requires_login_and_post(client, student):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    assert client.post(_url(attempt), {}).status_code == 302
    client.force_login(student)
    assert client.get(_url(attempt)).status_code == 405
