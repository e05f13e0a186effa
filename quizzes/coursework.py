"""Quizzes as course work of a class (cohorts.coursework): what a class can date, what
counts as handed in, and the quiz panels of the class dashboard and a student's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Max, Q, QuerySet
from django.db.models.functions import NullIf

from cohorts.coursework import Bar, ClassContext, Coursework, Panel, RecordPanel, StudentContext
from course.selectors import IN_COURSE_ORDER
from quizzes.models import Attempt, AttemptState, Quiz
from quizzes.selectors import QuizGrade, quiz_grade, quizzes_for_user


@dataclass
class QuizRow:
    quiz: Quiz
    attempts: list[Attempt]
    grade: QuizGrade | None
    due_at: datetime | None
    time_limit: timedelta | None  # with the student's extra time
    now: datetime

    @property
    def overdue(self) -> bool:
        """Due, passed, and nothing submitted."""
        return bool(self.due_at and self.due_at < self.now and self.missing)

    @property
    def late(self) -> bool:
        """The first submitted attempt came after the date that applied when it was
        submitted (stored on the attempt: a later extension does not rewrite history)."""
        submitted = [a for a in self.attempts if a.state == AttemptState.SUBMITTED]
        return bool(submitted and submitted[0].submitted_late)

    @property
    def missing(self) -> bool:
        return not any(a.state == AttemptState.SUBMITTED for a in self.attempts)

    @property
    def time_limit_minutes(self) -> int | None:
        return round(self.time_limit.total_seconds() / 60) if self.time_limit else None


def datable(course_id: int) -> QuerySet[Quiz]:
    return Quiz.objects.filter(course_id=course_id, archived=False).order_by(*IN_COURSE_ORDER)


def handed_in() -> QuerySet[Attempt]:
    return Attempt.objects.filter(state=AttemptState.SUBMITTED)


def last_active(course_id: int, students: QuerySet) -> QuerySet:
    return (
        Attempt.objects.filter(quiz__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("started_at"))
    )


def _percent():
    return ExpressionWrapper(
        F("score") * 100.0 / NullIf(F("max_score"), 0), output_field=FloatField()
    )


def mean_scores(course_id: int, students: QuerySet) -> dict[int, float | None]:
    """Each student's mean percent over their submitted attempts that are fully graded
    (None: none yet). An attempt waiting for a grader is pending, never a low score."""
    graded = Q(state=AttemptState.SUBMITTED, needs_grading=False)
    rows = (
        Attempt.objects.filter(quiz__course_id=course_id, user__in=students)
        .values("user")
        .annotate(mean=Avg(_percent(), filter=graded))
    )
    return {row["user"]: row["mean"] for row in rows}


def record(student: StudentContext) -> RecordPanel:
    """The student's quizzes: attempts, grade, due date and time limit with extra time."""
    quizzes = list(quizzes_for_user(student.user, student.course))  # in course order
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user=student.user, quiz__in=quizzes).order_by("number"):
        attempts.setdefault(attempt.quiz_id, []).append(attempt)
    rows = [
        QuizRow(
            quiz,
            attempts.get(quiz.pk, []),
            quiz_grade(quiz, attempts.get(quiz.pk, [])),
            student.due.get(("quiz", quiz.pk)),
            student.time_limit(quiz.time_limit),
            student.now,
        )
        for quiz in quizzes
    ]
    started = [attempt.started_at for rows in attempts.values() for attempt in rows]
    return RecordPanel(
        "quizzes/partials/student_record.html", {"rows": rows}, max(started, default=None)
    )


def dashboard(board: ClassContext) -> Panel:
    """Per quiz: the students who submitted an attempt, the mean score of the attempts
    fully graded, and the attempts still waiting for a grader (one query)."""
    submitted = Q(attempts__state=AttemptState.SUBMITTED, attempts__user__in=board.students)
    quizzes = list(
        Quiz.objects.filter(course_id=board.course_id, archived=False)
        .annotate(
            takers=Count("attempts__user", filter=submitted, distinct=True),
            mean=Avg(
                F("attempts__score") * 100.0 / NullIf(F("attempts__max_score"), 0),
                filter=submitted & Q(attempts__needs_grading=False),
                output_field=FloatField(),
            ),
            submitted=Count("attempts", filter=submitted),
            pending=Count("attempts", filter=submitted & Q(attempts__needs_grading=True)),
        )
        .order_by(*IN_COURSE_ORDER)
    )
    completion = [Bar(quiz.title, quiz.takers, board.total) for quiz in quizzes]
    scores = [
        Bar(quiz.title, round(quiz.mean) if quiz.mean is not None else None, 100)
        for quiz in quizzes
    ]
    pending = [Bar(quiz.title, quiz.pending, quiz.submitted) for quiz in quizzes if quiz.pending]
    return Panel(
        "quizzes/partials/class_dashboard.html",
        {"completion": completion, "scores": scores, "pending": pending},
    )


QUIZZES = Coursework(
    model=Quiz,
    order=1,
    datable=datable,
    visible=quizzes_for_user,
    handed_in=handed_in,
    last_active=last_active,
    record=record,
    dashboard=dashboard,
    mean_scores=mean_scores,
)
