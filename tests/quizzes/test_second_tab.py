"""A second tab of an attempt finished elsewhere: checking an answer there says so in the
status line (htmx retargeted), not by swapping the result page into the question."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Response
from tests.quizzes.factories import field_names, make_quiz, single

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_checking_an_answer_in_a_second_tab_says_the_attempt_was_submitted(client, student):
    quiz = make_quiz(questions=[single("one")], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    url = reverse("quizzes:check", args=[attempt.pk, ids["one"]])
    response = client.post(url, {f"q-{ids['one']}": "b", f"rev-{ids['one']}": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#save-status" and response["HX-Reswap"] == "outerHTML"
    assert "This attempt was already submitted" in response.text
    assert f'<a href="{attempt.get_absolute_url()}">See your result</a>' in response.text
    assert "<fieldset" not in response.text
    assert Response.objects.get(question_id=ids["one"]).answer == {}


def test_without_htmx_it_goes_to_the_result(client, student):
    quiz = make_quiz(questions=[single("one")], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    url = reverse("quizzes:check", args=[attempt.pk, ids["one"]])
    response = client.post(url, {f"q-{ids['one']}": "b", f"rev-{ids['one']}": "0"})
    assert response.status_code == 302 and response["Location"] == attempt.get_absolute_url()


def test_another_student_gets_a_404(client, student, other_student):
    quiz = make_quiz(questions=[single("one")], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    client.force_login(other_student)
    url = reverse("quizzes:check", args=[attempt.pk, ids["one"]])
    assert client.post(url, {f"q-{ids['one']}": "b"}, headers=HTMX).status_code == 404
