"""Overrides: instructors and graders set any score (an auto-graded one too) with a
reason; every grading change keeps an audit row shown on the answer."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import GradeChange, ReleaseMode
from tests.quizzes.grading_factories import grading_class

pytestmark = pytest.mark.django_db


def _override(client, built, answer, points, reason="Accepted an equivalent answer"):
    url = reverse("quizzes:override", args=[built.course_class.pk, answer.pk])
    return client.post(url, {"override-points": points, "override-reason": reason})


def test_an_instructor_overrides_an_auto_graded_score_with_a_reason(client, instructor):
    built = grading_class()
    choice = built.choice_of(built.ben)  # Ben chose a wrong option: 0 points
    assert choice.score == Decimal(0)
    client.force_login(instructor)
    assert _override(client, built, choice, "1").status_code == 302
    choice.refresh_from_db()
    assert choice.score == Decimal(1) and choice.graded_by == instructor
    assert built.attempt(built.ben).score == Decimal(1)
    (change,) = GradeChange.objects.filter(response=choice)
    assert (change.kind, change.old_score, change.new_score) == ("override", 0, 1)
    assert change.reason == "Accepted an equivalent answer"
    page = client.get(reverse("quizzes:grade-answer", args=[built.course_class.pk, choice.pk]))
    assert "Accepted an equivalent answer" in page.text and "Overridden" in page.text


def test_every_change_is_kept_with_who_when_old_and_new(client):
    built = grading_class()
    essay = built.essay_of(built.ann)
    services.response_grade(response=essay, grader=built.gina, levels=[0])
    services.response_grade(response=essay, grader=built.gina, levels=[1])
    client.force_login(built.gina)
    _override(client, built, essay, "2.5", reason="Half marks for the second part")
    rows = list(
        GradeChange.objects.filter(response=essay)
        .order_by("changed_at", "id")
        .values_list("kind", "old_score", "new_score", "changed_by__username")
    )
    assert rows == [
        ("grade", None, Decimal(0), "gina"),
        ("grade", Decimal(0), Decimal(3), "gina"),
        ("override", Decimal(3), Decimal("2.5"), "gina"),
    ]
    assert built.attempt(built.ann).score == Decimal("3.5")
    page = client.get(reverse("quizzes:grade-answer", args=[built.course_class.pk, essay.pk]))
    assert page.text.count("<tr><td>") == 3 and "Half marks for the second part" in page.text


@pytest.mark.parametrize(
    ("points", "reason", "message"),
    [("1", "", "Say why the score changes."), ("5", "Too generous", "less than or equal to 1")],
)
def test_an_override_without_a_reason_or_beyond_the_points_is_refused(
    client, instructor, points, reason, message
):
    built = grading_class()
    choice = built.choice_of(built.ben)
    client.force_login(instructor)
    response = _override(client, built, choice, points, reason)
    assert response.status_code == 400 and message in response.text
    choice.refresh_from_db()
    assert choice.score == Decimal(0) and not GradeChange.objects.exists()


def test_a_grader_overrides_nobody_outside_their_sections_and_a_student_nobody(client):
    built = grading_class()
    bens = built.choice_of(built.ben)
    for user in (built.gina, built.ann, built.ben):
        client.force_login(user)
        assert _override(client, built, bens, "1").status_code == 404
    bens.refresh_from_db()
    assert bens.score == Decimal(0)


def test_an_unreleased_override_is_not_shown_to_the_student(client, instructor):
    built = grading_class()
    built.quiz.release_grades = ReleaseMode.MANUAL
    built.quiz.save()
    client.force_login(instructor)
    _override(client, built, built.choice_of(built.ben), "1")
    client.force_login(built.ben)
    page = client.get(built.attempt(built.ben).get_absolute_url()).text
    assert "Being reviewed by a grader" in page and "1 of 1 points" not in page
    assert "<strong>0</strong> of 4 points so far" in page
