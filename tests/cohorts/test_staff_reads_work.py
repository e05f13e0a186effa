"""Graders read the attempts and lab runs of the students they grade (and instructors
everyone's), read-only; other graders and other students never do."""

import uuid

import pytest
from django.urls import reverse

from cohorts.models import GraderAssignment, Section
from course.roles import GRADER, STUDENT
from labs.models import LabRun
from quizzes.services import attempt_start, attempt_submit
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz


@pytest.fixture
def built(db):
    quiz = make_quiz()
    lab = make_lab(quiz.course)
    course_class = make_class(quiz.course, name="Graded class")
    mon = Section.objects.create(course_class=course_class, name="Mon")
    wed = Section.objects.create(course_class=course_class, name="Wed")
    ann, ben = make_user("ann", STUDENT, first_name="Ann"), make_user("ben", STUDENT)
    enroll(ann, course_class, section=mon)
    enroll(ben, course_class, section=wed)
    gina, walt = make_user("gina", GRADER), make_user("walt", GRADER)
    GraderAssignment.objects.create(section=mon, grader=gina)
    GraderAssignment.objects.create(section=wed, grader=walt)
    submitted = attempt_submit(attempt=attempt_start(user=ann, quiz=quiz)).attempt
    run = LabRun.objects.create(lab=lab, user=ann, submission=uuid.uuid4(), params={})
    return {"ann": ann, "ben": ben, "gina": gina, "walt": walt, "attempt": submitted, "run": run}


def _attempt(built):
    return reverse("quizzes:attempt", args=[built["attempt"].pk])


def _run(built, name="run"):
    return reverse(f"labs:{name}", args=[built["run"].pk])


def test_the_students_grader_reads_the_submitted_attempt_without_a_form(client, built):
    client.force_login(built["gina"])
    response = client.get(_attempt(built))
    assert response.status_code == 200
    assert "Ann's attempt 1: result" in response.text
    assert "<textarea" not in response.text and "only they can change it" in response.text


def test_the_grader_reads_an_attempt_in_progress_but_cannot_write_to_it(client, built):
    open_attempt = attempt_start(user=built["ann"], quiz=built["attempt"].quiz)
    url = reverse("quizzes:attempt", args=[open_attempt.pk])
    client.force_login(built["gina"])
    response = client.get(url)
    assert response.status_code == 200 and "Not submitted yet" in response.text
    assert client.post(url, {}).status_code == 404
    autosave = reverse("quizzes:autosave", args=[open_attempt.pk])
    assert client.post(autosave, {}).status_code == 404
    submit = reverse("quizzes:submit", args=[open_attempt.pk])
    assert client.post(submit, {}).status_code == 404
    open_attempt.refresh_from_db()
    assert open_attempt.is_open


def test_the_students_grader_reads_the_run_and_its_result_but_cannot_cancel_it(client, built):
    client.force_login(built["gina"])
    response = client.get(_run(built))
    assert response.status_code == 200 and "By ann" in response.text
    assert "Cancel run" not in response.text
    assert client.get(_run(built, "run-result")).status_code == 200
    assert client.post(_run(built, "run-cancel")).status_code == 404
    built["run"].refresh_from_db()
    assert not built["run"].cancel_requested


def test_the_instructor_reads_both(client, instructor, built):
    client.force_login(instructor)
    assert client.get(_attempt(built)).status_code == 200
    assert client.get(_run(built)).status_code == 200


@pytest.mark.parametrize("who", ["walt", "ben"])
def test_a_grader_of_another_section_and_another_student_get_a_404(client, built, who):
    client.force_login(built[who])
    assert client.get(_attempt(built)).status_code == 404
    assert client.get(_run(built)).status_code == 404
    assert client.get(_run(built, "run-result")).status_code == 404


def test_a_grader_of_the_same_section_in_another_course_gets_a_404(client, built):
    other_course_class = make_class(make_quiz(course_slug="other-course").course, name="Other")
    section = Section.objects.create(course_class=other_course_class, name="Mon")
    enroll(built["ann"], other_course_class, section=section)
    outsider = make_user("olga", GRADER)
    GraderAssignment.objects.create(section=section, grader=outsider)
    client.force_login(outsider)
    assert client.get(_attempt(built)).status_code == 404
    assert client.get(_run(built)).status_code == 404
