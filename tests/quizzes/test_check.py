"""After-each-question feedback: checking one answer locks it and shows its feedback."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Response
from tests.factories import enroll
from tests.quizzes.factories import essay, field_names, make_quiz, single

pytestmark = pytest.mark.django_db


def _url(attempt, question_id: int) -> str:
    return reverse("quizzes:check", args=[attempt.pk, question_id])


def test_checking_shows_this_questions_feedback_only(client, student):
    quiz = make_quiz(questions=[single("one"), single("two")], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {f"q-{ids['one']}": "a", f"rev-{ids['one']}": "0", f"rev-{ids['two']}": "0"}
    response = client.post(_url(attempt, ids["one"]), form, HTTP_HX_REQUEST="true")
    assert "SECRET-FEEDBACK one a" in response.text and "SECRET-EXPLANATION one" in response.text
    assert "disabled" in response.text
    page = client.get(attempt.get_absolute_url()).text
    assert "SECRET-EXPLANATION one" in page and "SECRET-EXPLANATION two" not in page
    assert Response.objects.get(question_id=ids["one"]).checked_at is not None


def test_checking_works_without_javascript(client, student):
    quiz = make_quiz(questions=[single("one")], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    response = client.post(
        _url(attempt, ids["one"]), {f"q-{ids['one']}": "b", f"rev-{ids['one']}": "0"}
    )
    assert response["Location"] == f"{attempt.get_absolute_url()}#question-{ids['one']}"
    assert Response.objects.get(question_id=ids["one"]).score == 1


def test_the_page_offers_check_buttons_only_in_that_mode(client, student):
    for mode, expected in (("after-each-question", True), ("after-submission", False)):
        quiz = make_quiz(f"quiz-{mode}", [single(), essay()], course_slug=mode, feedback=mode)
        enroll(student, quiz.course)
        attempt = services.attempt_start(user=student, quiz=quiz)
        client.force_login(student)
        text = client.get(attempt.get_absolute_url()).text
        assert ("Check this answer" in text) is expected
        assert text.count("Check this answer") <= 1  # essays are never checked alone


def test_essays_and_other_modes_cannot_be_checked(client, student):
    quiz = make_quiz(questions=[single(), essay()])
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    assert client.post(_url(attempt, ids["single-q"]), {}).status_code == 404
    assert client.post(_url(attempt, ids["essay-q"]), {}).status_code == 404


def test_other_students_and_staff_get_a_404(client, student, other_student, instructor):
    quiz = make_quiz(questions=[single()], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    for user in (other_student, instructor):
        client.force_login(user)
        assert client.post(_url(attempt, ids["single-q"]), {}).status_code == 404
    assert Response.objects.get(question_id=ids["single-q"]).checked_at is None


def test_a_question_of_another_quiz_is_a_404(client, student):
    quiz = make_quiz(questions=[single()], feedback="after-each-question")
    other = make_quiz("other", [single("elsewhere")], course_slug="other-course")
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    elsewhere = other.questions.get().pk
    assert client.post(_url(attempt, elsewhere), {}).status_code == 404


def test_it_requires_login(client, student):
    quiz = make_quiz(questions=[single()], feedback="after-each-question")
    attempt = services.attempt_start(user=student, quiz=quiz)
    assert client.post(_url(attempt, field_names(quiz)["single-q"]), {}).status_code == 302
