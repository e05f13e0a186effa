"""Grading one answer: question, rubric, reference answer, the student's answer and a
comment; save and next; progress; nobody outside the student's section reaches it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from course.roles import STUDENT
from quizzes import services
from quizzes.models import GradeChange
from tests.factories import enroll, make_user
from tests.quizzes.factories import essay
from tests.quizzes.grading_factories import grading_class

pytestmark = pytest.mark.django_db


def _url(built, answer, query=""):
    url = reverse("quizzes:grade-answer", args=[built.course_class.pk, answer.pk])
    return f"{url}?{query}" if query else url


def test_the_page_shows_the_question_rubric_reference_answer_and_the_students_answer(client):
    built = grading_class()
    client.force_login(built.gina)
    page = client.get(_url(built, built.essay_of(built.ann)))
    assert page.status_code == 200
    text = page.text
    assert "Explain" in text and "SECRET-REFERENCE" in text and "Ann&#x27;s essay" in text
    assert 'name="level-0" value="0"' in text and 'name="level-0" value="1"' in text
    assert "3 pt: Yes" in text and 'name="comment"' in text
    assert "<strong>0 of 1</strong> graded" in text
    assert 'src="/static/js/grading.js"' in text


def test_grading_through_the_page_scores_the_answer_and_completes_the_attempt(client):
    built = grading_class()
    answer = built.essay_of(built.ann)
    client.force_login(built.gina)
    response = client.post(
        _url(built, answer), {"level-0": "1", "comment": "Clear <b>work</b>", "then": "stay"}
    )
    assert response.status_code == 302 and response.url == _url(built, answer)
    answer.refresh_from_db()
    assert answer.score == Decimal(3) and answer.rubric_levels == [1]
    assert answer.grader_comment == "Clear <b>work</b>" and answer.graded_by == built.gina
    attempt = built.attempt(built.ann)
    assert not attempt.needs_grading and attempt.score == Decimal(4)
    (change,) = GradeChange.objects.filter(response=answer)
    assert change.old_score is None and change.new_score == Decimal(3)
    assert change.changed_by == built.gina and change.kind == "grade"
    page = client.get(_url(built, answer))
    assert "<strong>1 of 1</strong> graded" in page.text
    assert 'value="1" id="id_level-0_1" checked' in page.text
    assert "Clear &lt;b&gt;work&lt;/b&gt;" in page.text  # escaped, never markup


def test_save_and_next_opens_the_next_answer_to_grade_then_the_queue(client, instructor):
    built = grading_class()
    first, second = built.essay_of(built.ann), built.essay_of(built.ben)
    client.force_login(instructor)
    query = f"quiz={built.quiz.pk}"
    response = client.post(_url(built, first, query), {"level-0": "0", "then": "next"})
    assert response.url == _url(built, second, query)
    response = client.post(_url(built, second, query), {"level-0": "1", "then": "next"})
    queue = reverse("quizzes:grading", args=[built.course_class.pk])
    assert response.url == f"{queue}?{query}"
    assert "Every answer here is graded." in client.get(response.url).text


def test_a_grade_without_every_criterion_is_refused_and_nothing_is_saved(client):
    built = grading_class()
    answer = built.essay_of(built.ann)
    client.force_login(built.gina)
    response = client.post(_url(built, answer), {"comment": "x", "then": "next"})
    assert response.status_code == 400
    assert "Choose a level for this criterion." in response.text
    answer.refresh_from_db()
    assert answer.score is None and not GradeChange.objects.exists()


def test_a_question_without_a_rubric_is_graded_in_points_within_its_range(client):
    plain = essay()
    plain.rubric = []
    built = grading_class(questions=[plain])
    answer = built.essay_of(built.ann)
    client.force_login(built.gina)
    assert client.post(_url(built, answer), {"points": "4"}).status_code == 400
    assert client.post(_url(built, answer), {"points": "2.5"}).status_code == 302
    answer.refresh_from_db()
    assert answer.score == Decimal("2.5")


def test_a_grader_of_one_section_reaches_no_answer_of_another(client):
    built = grading_class()
    bens = built.essay_of(built.ben)
    client.force_login(built.gina)
    assert client.get(_url(built, bens)).status_code == 404
    assert client.post(_url(built, bens), {"level-0": "1"}).status_code == 404
    bens.refresh_from_db()
    assert bens.score is None


def test_a_student_reaches_no_grading_page_not_even_for_their_own_answer(client):
    built = grading_class()
    client.force_login(built.ann)
    answer = built.essay_of(built.ann)
    assert client.get(_url(built, answer)).status_code == 404
    assert client.post(_url(built, answer), {"level-0": "1"}).status_code == 404


def test_an_attempt_still_in_progress_is_not_in_the_queue_nor_graded(client, instructor):
    built = grading_class()
    cara = make_user("cara", STUDENT)
    enroll(cara, built.course_class, section=built.mon)
    attempt = services.attempt_start(user=cara, quiz=built.quiz)
    answer = attempt.responses.get(question__kind="essay")
    client.force_login(instructor)
    assert client.get(_url(built, answer)).status_code == 404
