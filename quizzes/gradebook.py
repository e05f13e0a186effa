"""A class's gradebook and answers as rows for export: Canvas's and Moodle's import
layouts and one row per answer; written as CSV or XLSX a row at a time.

Rows are generators over database iterators (students and attempts read in the same
order and merged), so memory stays flat however big the class. Text cells that a
spreadsheet would run as a formula (cohorts.roster.FORMULA_STARTS) are neutralised;
numbers stay numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from cohorts.exports import Row
from cohorts.models import CourseClass, Enrollment, Section
from quizzes import grading
from quizzes.models import (
    Attempt,
    AttemptState,
    Choice,
    Question,
    QuestionKind,
    Quiz,
    Response,
)

CHUNK = 2_000
NAME_ORDER = ("user__last_name", "user__first_name", "user__username", "user_id")


def _students(course_class: CourseClass, sections: list[Section] | None) -> QuerySet[Enrollment]:
    students = Enrollment.objects.filter(course_class=course_class)
    if sections is not None:
        students = students.filter(section__in=sections)
    return students


def _quizzes(course_class: CourseClass) -> list[Quiz]:
    """The course's quizzes (not archived), each with `points`: what an attempt is out of."""
    points = (
        Question.objects.filter(quiz=OuterRef("pk"), archived=False)
        .exclude(kind__in=[QuestionKind.SCENARIO, QuestionKind.DESCRIPTION])
        .values("quiz")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return list(
        Quiz.objects.filter(course_id=course_class.course_id, archived=False)
        .annotate(points=Subquery(points))
        .order_by("order", "id")
    )


def _grades(
    course_class: CourseClass, sections: list[Section] | None, quizzes: list[Quiz]
) -> Iterator[tuple[Enrollment, dict[int, Decimal | None]]]:
    """Each student (by name) with their grade per quiz by the quiz's grading method (None:
    nothing submitted, or waiting for a grader): two queries, read in chunks and merged."""
    students = _students(course_class, sections)
    enrollments = students.select_related("user", "section").order_by(*NAME_ORDER).iterator(CHUNK)
    attempts = (
        Attempt.objects.filter(
            quiz__in=quizzes, user__in=students.values("user"), state=AttemptState.SUBMITTED
        )
        .order_by(*NAME_ORDER, "quiz_id", "number")
        .values_list("user_id", "quiz_id", "score", "needs_grading")
        .iterator(CHUNK)
    )
    methods = {quiz.pk: quiz.grading_method for quiz in quizzes}
    groups = itertools.groupby(attempts, key=lambda row: row[0])
    pending = next(groups, None)
    for enrollment in enrollments:
        grades: dict[int, Decimal | None] = {}
        if pending is not None and pending[0] == enrollment.user_id:
            for quiz_id, rows in itertools.groupby(pending[1], key=lambda row: row[1]):
                scores = [None if waiting else score for _, _, score, waiting in rows]
                grades[quiz_id] = grading.combine_attempts(methods[quiz_id], scores)
            pending = next(groups, None)
        yield enrollment, grades


def canvas_rows(course_class: CourseClass, sections: list[Section] | None) -> Iterator[Row]:
    """Canvas's gradebook import: Student ("Last, First"), ID, SIS User ID, SIS Login ID,
    Section, then one column per quiz titled "Title (id)", and a "Points Possible" row."""
    quizzes = _quizzes(course_class)
    yield [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        *[f"{quiz.title} ({quiz.pk})" for quiz in quizzes],
    ]
    yield ["    Points Possible", None, None, None, None, *[quiz.points for quiz in quizzes]]
    for enrollment, grades in _grades(course_class, sections, quizzes):
        user = enrollment.user
        name = ", ".join(part for part in [user.last_name, user.first_name] if part)
        yield [
            name or user.get_username(),
            user.pk,
            enrollment.student_id or None,
            user.get_username(),
            enrollment.section.name if enrollment.section else None,
            *[grades.get(quiz.pk) for quiz in quizzes],
        ]


def moodle_rows(course_class: CourseClass, sections: list[Section] | None) -> Iterator[Row]:
    """Moodle's grade import: First name, Last name, Email address (what Moodle maps a
    row to its user by), then "Quiz: Title (Real)" per quiz."""
    quizzes = _quizzes(course_class)
    yield [
        "First name",
        "Last name",
        "Email address",
        *[f"Quiz: {quiz.title} (Real)" for quiz in quizzes],
    ]
    for enrollment, grades in _grades(course_class, sections, quizzes):
        user = enrollment.user
        yield [
            user.first_name,
            user.last_name,
            user.email,
            *[grades.get(quiz.pk) for quiz in quizzes],
        ]


RESPONSE_HEADER = [
    "Student",
    "Username",
    "Student ID",
    "Section",
    "Quiz",
    "Attempt",
    "Question",
    "Answer",
    "Score",
    "Points",
    "Grader",
    "Comment",
    "Started (UTC)",
    "Submitted (UTC)",
    "Graded (UTC)",
    "Late",
]


def response_rows(course_class: CourseClass, sections: list[Section] | None) -> Iterator[Row]:
    """One row per answer in a submitted attempt: who, which quiz and question, the answer
    as the student saw it (choices by their text), the score, who graded it and when."""
    choices = {
        (question_id, key): text
        for question_id, key, text in Choice.objects.filter(
            question__quiz__course_id=course_class.course_id
        ).values_list("question_id", "key", "text")
    }
    # The class's students and the course's questions (thousands of rows at most) are
    # read once; the answers stream as plain tuples, in name order.
    students = _students(course_class, sections)
    who = {
        row[0]: row[1:]
        for row in students.values_list(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "student_id",
            "section__name",
        )
    }
    questions = {
        pk: (title or prompt[:200], points)
        for pk, title, prompt, points in Question.objects.filter(
            quiz__course_id=course_class.course_id
        ).values_list("pk", "title", "prompt", "points")
    }
    quizzes = dict(Quiz.objects.filter(course_id=course_class.course_id).values_list("pk", "title"))
    answers = (
        Response.objects.filter(
            attempt__quiz__course_id=course_class.course_id,
            attempt__quiz__archived=False,
            attempt__state=AttemptState.SUBMITTED,
            attempt__user__in=students.values("user"),
        )
        .order_by(
            *[f"attempt__{key}" for key in NAME_ORDER],
            "attempt__quiz__order",
            "attempt__quiz_id",
            "attempt__number",
            "question__order",
            "id",
        )
        .values_list(
            "attempt__user_id",
            "attempt__quiz_id",
            "attempt__number",
            "question_id",
            "answer",
            "score",
            "graded_by__username",
            "grader_comment",
            "attempt__started_at",
            "attempt__submitted_at",
            "graded_at",
            "attempt__submitted_late",
        )
    )
    yield RESPONSE_HEADER
    for row in answers.iterator(CHUNK):
        user_id, quiz_id, number, question_id, answer, score, grader, comment, *times = row
        first, last, username, student_number, section = who[user_id]
        title, points = questions[question_id]
        yield [
            f"{first} {last}".strip() or username,
            username,
            student_number or None,
            section,
            quizzes[quiz_id],
            number,
            title,
            _answer_text(question_id, answer, choices),
            score,
            points,
            grader,
            comment or None,
            times[0],
            times[1],
            times[2],
            "late" if times[3] else None,
        ]


def _answer_text(question_id: int, answer: dict, choices: dict) -> str:
    if "choice" in answer:
        return choices.get((question_id, answer["choice"]), str(answer["choice"]))
    if "choices" in answer:
        return "; ".join(choices.get((question_id, key), str(key)) for key in answer["choices"])
    return str(answer.get("text", ""))
