"""A class to grade, made by the real services: two sections, each with its grader and a
student who submitted the quiz (a choice question and a rubric essay)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from cohorts.models import CourseClass, GraderAssignment, Section
from course.roles import GRADER, STUDENT
from quizzes import services
from quizzes.models import Attempt, Quiz, Response
from tests.factories import enroll, make_class, make_user
from tests.quizzes.factories import essay, field_names, make_quiz, single


@dataclass
class GradingClass:
    course_class: CourseClass
    quiz: Quiz
    mon: Section
    wed: Section
    ann: AbstractBaseUser  # section Mon
    ben: AbstractBaseUser  # section Wed
    gina: AbstractBaseUser  # grades Mon
    walt: AbstractBaseUser  # grades Wed

    def attempt(self, user) -> Attempt:
        return Attempt.objects.get(quiz=self.quiz, user=user)

    def essay_of(self, user) -> Response:
        return Response.objects.get(
            attempt__quiz=self.quiz, attempt__user=user, question__kind="essay"
        )

    def choice_of(self, user) -> Response:
        return Response.objects.get(
            attempt__quiz=self.quiz, attempt__user=user, question__kind="single"
        )


def submit(user, quiz: Quiz, *, essay_text: str = "An essay", choice: str = "b") -> Attempt:
    ids = field_names(quiz)
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = {}
    if "single-q" in ids:
        answers[ids["single-q"]] = ({"choice": choice}, 0)
    if "essay-q" in ids:
        answers[ids["essay-q"]] = ({"text": essay_text} if essay_text else {}, 0)
    return services.attempt_submit(attempt=attempt, answers=answers).attempt


def grading_class(*, questions=None, **quiz_settings) -> GradingClass:
    quiz = make_quiz(questions=questions or [single(), essay()], **quiz_settings)
    course_class = make_class(quiz.course, name="Grading class")
    mon = Section.objects.create(course_class=course_class, name="Mon")
    wed = Section.objects.create(course_class=course_class, name="Wed")
    ann = make_user("ann", STUDENT, first_name="Ann", last_name="Lee", email="ann@example.org")
    ben = make_user("ben", STUDENT, first_name="Ben", last_name="Okafor", email="ben@example.org")
    enroll(ann, course_class, section=mon, student_id="S-1")
    enroll(ben, course_class, section=wed, student_id="S-2")
    gina, walt = make_user("gina", GRADER), make_user("walt", GRADER)
    GraderAssignment.objects.create(section=mon, grader=gina)
    GraderAssignment.objects.create(section=wed, grader=walt)
    submit(ann, quiz, essay_text="Ann's essay")
    submit(ben, quiz, essay_text="Ben's essay", choice="a")
    return GradingClass(course_class, quiz, mon, wed, ann, ben, gina, walt)
