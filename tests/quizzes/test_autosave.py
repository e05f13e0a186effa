"""Autosave (htmx): answers saved as they change; stale tabs and finished attempts refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Response
from tests.quizzes.factories import field_names, make_quiz

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(attempt: Attempt) -> str:
    return reverse("quizzes:autosave", args=[attempt.pk])


def test_it_saves_the_answers_and_returns_the_new_revisions(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "Goodhart", f"rev-{ids['short-q']}": "0"}
    response = client.post(_url(attempt), form, **HTMX)
    assert response.status_code == 200
    assert "Saved at" in response.text
    assert f'id="rev-{ids["short-q"]}" value="1" hx-swap-oob="true"' in response.text
    assert Response.objects.get(question_id=ids["short-q"]).answer == {"text": "Goodhart"}


def test_clearing_an_answer_is_saved_too(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(
        attempt=attempt, answers={ids["multi-q"]: ({"choices": ["a"]}, 0)}
    )
    client.force_login(student)
    client.post(_url(attempt), {f"rev-{ids['multi-q']}": "1"}, **HTMX)
    assert Response.objects.get(question_id=ids["multi-q"]).answer == {"choices": []}


def test_a_stale_tab_is_told_and_does_not_overwrite(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["short-q"]: ({"text": "new"}, 0)})
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "old", f"rev-{ids['short-q']}": "0"}
    response = client.post(_url(attempt), form, **HTMX)
    assert "changed in another tab" in response.text
    assert f'id="rev-{ids["short-q"]}"' not in response.text
    assert Response.objects.get(question_id=ids["short-q"]).answer == {"text": "new"}


def test_a_second_tab_of_a_submitted_attempt_is_told_so_with_a_link_to_the_result(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "late", f"rev-{ids['short-q']}": "0"}
    response = client.post(_url(attempt), form, **HTMX)
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "This attempt was already submitted (in another tab or window)." in response.text
    assert "What you type here is not saved." in response.text
    assert f'<a href="{attempt.get_absolute_url()}">See your result</a>' in response.text
    assert Response.objects.get(question_id=ids["short-q"]).answer == {}


def test_an_expired_attempt_is_finished_by_the_autosave_that_finds_it(client, student):
    quiz = make_quiz(time_limit=1)
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "late", f"rev-{ids['short-q']}": "0"}
    response = client.post(_url(attempt), form, **HTMX)
    assert "Time is up: this attempt was submitted" in response.text
    assert f'<a href="{attempt.get_absolute_url()}">See your result</a>' in response.text
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.finished_by_time_limit


def test_without_htmx_it_redirects_to_the_attempt(client, student):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    client.force_login(student)
    response = client.post(_url(attempt), {})
    assert response.status_code == 302 and response["Location"] == attempt.get_absolute_url()


def test_other_students_and_staff_get_a_404_and_nothing_is_saved(
    client, student, other_student, instructor
):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    form = {f"q-{ids['short-q']}": "intruder", f"rev-{ids['short-q']}": "0"}
    for user in (other_student, instructor):
        client.force_login(user)
        assert client.post(_url(attempt), form, **HTMX).status_code == 404
    assert Response.objects.get(question_id=ids["short-q"]).answer == {}


def test_it_requires_login_and_post(client, student):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    assert client.post(_url(attempt), {}).status_code == 302
    client.force_login(student)
    assert client.get(_url(attempt)).status_code == 405
