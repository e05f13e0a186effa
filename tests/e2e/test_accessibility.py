"""An axe-core audit of every page a student, a grader and an instructor reach, in a real
browser under the site's Content-Security-Policy: no violation of serious or critical
impact. The pages hold real data (the seed course, a class, a submitted attempt with an
essay to grade, an open attempt with a checked answer, a finished lab run). The last test
shows the audit does report what it should."""

import uuid
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.urls import reverse

from cohorts.models import CourseClass, GraderAssignment, Section
from course.models import Course
from course.roles import GRADER, INSTRUCTOR, STUDENT
from labs.models import Lab, LabRun
from quizzes import services
from quizzes.models import Attempt, Question, Quiz
from tests.e2e.conftest import axe_violations
from tests.e2e.test_quiz_flow import CONTENT, _log_in
from tests.factories import enroll, make_class, make_user
from tests.labs.test_run_page import FINISHED

pytestmark = pytest.mark.e2e
COURSE = "alignment-training"


@dataclass
class World:
    course: Course
    course_class: CourseClass
    student_id: int
    submitted: Attempt
    open_attempt: Attempt
    essay_response_id: int
    lab: Lab
    run: LabRun


def _answers(quiz: Quiz) -> dict:
    answers = {}
    for question in Question.objects.filter(quiz=quiz, archived=False):
        keys = list(question.choices.values_list("key", flat=True))
        if question.kind in ("single", "true-false"):
            answers[question.pk] = ({"choice": keys[0]}, 0)
        elif question.kind == "multiple":
            answers[question.pk] = ({"choices": keys[:2]}, 0)
        elif question.kind in ("short", "numeric", "essay"):
            answers[question.pk] = ({"text": "Goodhart's law, as the lesson says."}, 0)
    return answers


@pytest.fixture
def world(transactional_db) -> World:
    return build_world()


def build_world() -> World:
    """The seed course, a class with a section, its student, grader and an instructor, a
    submitted attempt, an open one with a checked answer and a finished lab run."""
    call_command("load_course", str(CONTENT), verbosity=0)
    course = Course.objects.get(slug=COURSE)
    course_class = make_class(course, name="Audit class")
    section = Section.objects.create(course_class=course_class, name="Section A")
    student = make_user("sara", STUDENT, first_name="Sara", last_name="Lind")
    enroll(student, course_class, section=section)
    GraderAssignment.objects.create(section=section, grader=make_user("gil", GRADER))
    make_user("ines", INSTRUCTOR)
    checked = Quiz.objects.get(course=course, key="fine-tuning-and-alignment-check")
    submitted = services.attempt_start(user=student, quiz=checked)
    services.attempt_submit(attempt=submitted, answers=_answers(checked))
    per_question = Quiz.objects.get(course=course, key="sft-check")
    open_attempt = services.attempt_start(user=student, quiz=per_question)
    first = Question.objects.filter(quiz=per_question).order_by("order", "id").first()
    services.response_check(
        attempt=open_attempt, question=first, answers={first.pk: _answers(per_question)[first.pk]}
    )
    lab = Lab.objects.filter(course=course).order_by("order", "id").first()
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        dispatches=1,
        course_class=course_class,
        **FINISHED,
    )
    essay = submitted.responses.get(question__kind="essay")
    return World(course, course_class, student.pk, submitted, open_attempt, essay.pk, lab, run)


def _audit(page, live_server, paths: list[str], *, reveal_card: bool = False) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, f"{path}: {response.status}"
        if reveal_card and "/lessons/" in path:
            page.locator("[data-flashcard-toggle]").first.click()
        found += axe_violations(page)
    return found


@pytest.mark.parametrize(
    "viewport", [None, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_a_students_pages_have_no_serious_or_critical_violations(
    live_server, page, world, viewport
):
    if viewport:
        page.set_viewport_size(viewport)
    _log_in(page, live_server, "sara")
    slug = world.course.slug
    lesson = world.course.lessons.get(slug="red-teaming-never-done")
    paths = [
        reverse("course:catalog"),
        world.course.get_absolute_url(),
        reverse("course:lesson", args=[slug, lesson.slug]),  # its flashcards, one revealed
        reverse("course:review", args=[slug]),
        world.submitted.quiz.get_absolute_url(),
        world.open_attempt.get_absolute_url(),  # the attempt, one answer checked
        world.submitted.get_absolute_url(),  # the result
        reverse("quizzes:grades", args=[slug]),
        reverse("cohorts:classes"),
        reverse("labs:index", args=[slug]),
        reverse("labs:lab", args=[slug, world.lab.slug]),
        world.run.get_absolute_url(),
        reverse("labs:label", args=[slug]),
        reverse("cohorts:join"),
    ]
    assert _audit(page, live_server, paths, reveal_card=True) == []


def test_a_graders_pages_have_no_serious_or_critical_violations(live_server, page, world):
    _log_in(page, live_server, "gil")
    class_id = world.course_class.pk
    paths = [
        reverse("cohorts:classes"),
        reverse("cohorts:class", args=[class_id]),
        reverse("cohorts:student", args=[class_id, world.student_id]),
        reverse("quizzes:grading", args=[class_id]),
        reverse("quizzes:grade-answer", args=[class_id, world.essay_response_id]),
        world.submitted.get_absolute_url(),  # the student's result, read only
        world.run.get_absolute_url(),
    ]
    assert _audit(page, live_server, paths) == []


def test_an_instructors_pages_have_no_serious_or_critical_violations(live_server, page, world):
    _log_in(page, live_server, "ines")
    class_id = world.course_class.pk
    slug = world.course.slug
    paths = [
        reverse("cohorts:classes"),
        reverse("cohorts:class", args=[class_id]),
        reverse("cohorts:dashboard", args=[class_id]),
        reverse("cohorts:student", args=[class_id, world.student_id]),
        reverse("cohorts:due", args=[class_id]),
        reverse("quizzes:grading", args=[class_id]),
        reverse("quizzes:grade-answer", args=[class_id, world.essay_response_id]),
        reverse("quizzes:item-analysis", args=[class_id, world.submitted.quiz_id]),
        reverse("quizzes:regrade", args=[class_id, world.submitted.quiz_id]),
        world.submitted.get_absolute_url(),
        world.course.get_absolute_url(),
        reverse("labs:lab", args=[slug, world.lab.slug]),
        reverse("labs:class-runs", args=[class_id]),
        reverse("labs:class-labels", args=[slug]),
        world.run.get_absolute_url(),
        reverse("cohorts:class-edit", args=[class_id]),
        reverse("cohorts:roster", args=[class_id]),
        reverse("cohorts:class-new"),
    ]
    assert _audit(page, live_server, paths) == []


def test_the_audit_reports_a_violation_when_there_is_one(live_server, page, transactional_db):
    make_user("vera", STUDENT)
    _log_in(page, live_server, "vera")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/favicon.svg"><button aria-label="Stop">Go</button>\')'
    )
    found = axe_violations(page)
    assert any("image-alt (critical)" in line for line in found), found
    assert any("label-content-name-mismatch (serious)" in line for line in found), found
