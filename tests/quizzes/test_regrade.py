"""Regrade after an answer key or rubric change: a dry run lists whose scores would
change and by how much; applying it scores the stored answers again, which never change."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Choice, GradeChange, Question, Response
from tests.quizzes.grading_factories import grading_class

pytestmark = pytest.mark.django_db


def _url(built):
    return reverse("quizzes:regrade", args=[built.course_class.pk, built.quiz.pk])


def _answers(built) -> str:
    rows = Response.objects.filter(attempt__quiz=built.quiz).order_by("id")
    return json.dumps(
        [(r.pk, r.answer, r.revision, r.saved_at.isoformat() if r.saved_at else None) for r in rows]
    )


def _swap_the_key(built):
    """The right option of the choice question was "b"; now it is "a"."""
    Choice.objects.filter(question__quiz=built.quiz, key="b").update(correct=False)
    Choice.objects.filter(question__quiz=built.quiz, key="a").update(correct=True)


def test_the_dry_run_lists_whose_scores_would_change_and_writes_nothing(client, instructor):
    built = grading_class()
    _swap_the_key(built)
    client.force_login(instructor)
    page = client.get(_url(built))
    assert page.status_code == 200
    text = page.text
    assert "Ann Lee" in text and "Ben Okafor" in text
    assert "<td>1</td><td>0</td><td>-1</td>" in text and "<td>0</td><td>1</td><td>+1</td>" in text
    assert built.choice_of(built.ann).score == Decimal(1)
    assert not GradeChange.objects.exists()


def test_applying_scores_the_stored_answers_again_and_never_changes_them(client, instructor):
    built = grading_class()
    before = _answers(built)
    _swap_the_key(built)
    client.force_login(instructor)
    assert client.post(_url(built)).status_code == 302
    assert _answers(built) == before  # byte-identical answers, revisions and save times
    assert built.choice_of(built.ann).score == Decimal(0)
    assert built.choice_of(built.ben).score == Decimal(1)
    assert built.attempt(built.ben).score == Decimal(1)
    kinds = set(GradeChange.objects.values_list("kind", "changed_by__username"))
    assert kinds == {("regrade", instructor.username)}
    assert "Every score already matches" in client.get(_url(built)).text


def test_an_overridden_score_is_kept(client, instructor):
    built = grading_class()
    services.response_override(
        response=built.choice_of(built.ann), by=instructor, points=Decimal(1), reason="Kept"
    )
    _swap_the_key(built)
    client.force_login(instructor)
    assert "none: overridden, kept" in client.get(_url(built)).text
    client.post(_url(built))
    assert built.choice_of(built.ann).score == Decimal(1)
    assert built.choice_of(built.ben).score == Decimal(1)


def test_a_rubric_change_regrades_the_chosen_levels(client, instructor):
    built = grading_class()
    services.response_grade(response=built.essay_of(built.ann), grader=built.gina, levels=[1])
    question = Question.objects.get(quiz=built.quiz, key="essay-q")
    question.rubric[0]["levels"][1]["points"] = 2
    question.save()
    client.force_login(instructor)
    client.post(_url(built))
    essay = built.essay_of(built.ann)
    assert essay.score == Decimal(2) and essay.rubric_levels == [1]
    assert built.attempt(built.ann).score == Decimal(3)


@pytest.mark.parametrize("who", ["gina", "ann"])
def test_graders_and_students_reach_no_regrade(client, who):
    built = grading_class()
    _swap_the_key(built)
    client.force_login(getattr(built, who))
    assert client.get(_url(built)).status_code == 404
    assert client.post(_url(built)).status_code == 404
    assert built.choice_of(built.ann).score == Decimal(1)
