"""Grading a free-text answer against its rubric (the grading queue builds on this)."""

from decimal import Decimal

import pytest

from quizzes import services
from quizzes.models import Response
from quizzes.selectors import quiz_grade
from tests.quizzes.factories import essay, field_names, make_quiz, single

pytestmark = pytest.mark.django_db


def _submitted(student, text: str = "My essay"):
    quiz = make_quiz(questions=[single(), essay()])
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answers = {ids["single-q"]: ({"choice": "b"}, 0), ids["essay-q"]: ({"text": text}, 0)}
    attempt = services.attempt_submit(attempt=attempt, answers=answers).attempt
    return quiz, attempt, Response.objects.get(attempt=attempt, question_id=ids["essay-q"])


def test_choosing_a_level_per_criterion_scores_the_answer_and_completes_the_attempt(
    student, grader
):
    quiz, attempt, response = _submitted(student)
    assert attempt.needs_grading and quiz_grade(quiz, [attempt]).pending
    attempt = services.response_grade(response=response, grader=grader, levels=[1], comment="Good")
    response.refresh_from_db()
    assert response.score == Decimal(3) and response.graded_by == grader
    assert response.rubric_levels == [1] and response.grader_comment == "Good"
    assert not attempt.needs_grading and attempt.score == Decimal(4)
    assert quiz_grade(quiz, [attempt]).score == Decimal(4)


def test_the_result_page_shows_the_chosen_level_and_comment(client, student, grader):
    _, attempt, response = _submitted(student)
    services.response_grade(response=response, grader=grader, levels=[0], comment="Too short")
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert "0 pt: No <strong>(your grade)</strong>" in text and "Too short" in text


@pytest.mark.parametrize("levels", [[], [2], [0, 1], [-1]])
def test_a_level_that_does_not_exist_is_refused(student, grader, levels):
    _, _, response = _submitted(student)
    with pytest.raises(services.GradingError):
        services.response_grade(response=response, grader=grader, levels=levels)
    response.refresh_from_db()
    assert response.score is None


def test_an_attempt_in_progress_or_an_auto_graded_answer_is_not_graded_by_hand(student, grader):
    quiz = make_quiz(questions=[single(), essay()])
    attempt = services.attempt_start(user=student, quiz=quiz)
    essay_response = attempt.responses.get(question__key="essay-q")
    with pytest.raises(services.GradingError, match="submitted"):
        services.response_grade(response=essay_response, grader=grader, levels=[1])
    services.attempt_submit(attempt=attempt)
    choice_response = attempt.responses.get(question__key="single-q")
    with pytest.raises(services.GradingError, match="free-text"):
        services.response_grade(response=choice_response, grader=grader, points=Decimal(1))
