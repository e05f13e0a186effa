"""Answers waiting for a grader are pending, never zero: on the class dashboard (means and
falling behind) and on the student's record."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.dashboard import class_dashboard
from quizzes import services
from tests.quizzes.grading_factories import grading_class

pytestmark = pytest.mark.django_db


def test_the_dashboard_means_count_only_graded_attempts_and_show_the_pending_ones(
    client, instructor
):
    built = grading_class()  # Ann: 1 point so far and an essay to grade; Ben: 0 so far
    services.response_grade(response=built.essay_of(built.ben), grader=built.walt, levels=[0])
    board = class_dashboard(built.course_class, now=timezone.now())
    panel = board.panels["quiz"].context
    assert [bar.value for bar in panel["scores"]] == [0]  # Ben's 0 of 4; Ann's is pending
    assert [(bar.value, bar.of) for bar in panel["pending"]] == [(1, 2)]
    behind = {row.enrollment.user.username: row.reasons for row in board.behind}
    assert "ann" not in behind  # active today, nothing graded yet: not "25%"
    assert behind["ben"] == ["mean quiz score 0%"]
    client.force_login(instructor)
    page = client.get(reverse("cohorts:dashboard", args=[built.course_class.pk])).text
    assert "Submitted attempts waiting for a grader" in page


def test_the_student_record_shows_a_pending_attempt_as_waiting_not_as_its_partial_score(
    client,
):
    built = grading_class()
    client.force_login(built.gina)
    url = reverse("cohorts:student", args=[built.course_class.pk, built.ann.pk])
    page = client.get(url).text
    assert "waiting for a grader" in page and "1/4" not in page
    assert "pending: waiting for a grader" in page
    services.response_grade(response=built.essay_of(built.ann), grader=built.gina, levels=[1])
    page = client.get(url).text
    assert "4/4" in page and "100%" in page and "waiting for a grader" not in page
