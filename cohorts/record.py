"""One student's record in a class, for the instructor and the student's graders: what
they read, reviewed, submitted and ran, with their due dates and extra time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q

from cohorts.models import Accommodation, Enrollment
from cohorts.selectors import due_dates_for_student, stretched_limit
from course.models import CardState, FlashcardReview, FlashcardReviewState, Lesson
from course.selectors import lessons_for_user, progress_by_lesson, visible_flashcards
from labs.models import Lab, LabRun
from labs.selectors import labs_for_user
from quizzes.models import Attempt, AttemptState, Quiz
from quizzes.selectors import QuizGrade, quiz_grade, quizzes_for_user


@dataclass
class LessonRow:
    lesson: Lesson
    last_viewed_at: datetime | None
    completed_at: datetime | None


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


@dataclass
class LabRow:
    lab: Lab
    runs: list[LabRun]
    due_at: datetime | None

    @property
    def finished(self) -> int:
        return sum(run.status == LabRun.Status.SUCCEEDED for run in self.runs)


@dataclass
class FlashcardSummary:
    cards: int
    seen: int
    in_review: int
    due_now: int
    reviews_total: int
    reviews_7d: int
    last_review_at: datetime | None


@dataclass
class StudentRecord:
    enrollment: Enrollment
    lessons: list[LessonRow]
    quizzes: list[QuizRow]
    labs: list[LabRow]
    flashcards: FlashcardSummary
    last_active: datetime | None = None
    lessons_done: int = field(init=False)

    def __post_init__(self) -> None:
        self.lessons_done = sum(row.completed_at is not None for row in self.lessons)


def student_record(enrollment: Enrollment, *, now: datetime) -> StudentRecord:
    """The record of one enrolled student, as that student sees the course."""
    user = enrollment.user
    course = enrollment.course_class.course
    lessons = list(lessons_for_user(user, course).select_related("module"))
    progress = progress_by_lesson(user, [lesson.pk for lesson in lessons])
    lesson_rows = [
        LessonRow(
            lesson,
            getattr(progress.get(lesson.pk), "last_viewed_at", None),
            getattr(progress.get(lesson.pk), "completed_at", None),
        )
        for lesson in lessons
    ]
    due = due_dates_for_student(user, course.pk)
    try:
        accommodation = enrollment.accommodation
    except Accommodation.DoesNotExist:
        accommodation = None
    quizzes = list(quizzes_for_user(user, course).order_by("title"))
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user=user, quiz__in=quizzes).order_by("number"):
        attempts.setdefault(attempt.quiz_id, []).append(attempt)
    quiz_rows = [
        QuizRow(
            quiz,
            attempts.get(quiz.pk, []),
            quiz_grade(quiz, attempts.get(quiz.pk, [])),
            due.get(("quiz", quiz.pk)),
            stretched_limit(quiz.time_limit, accommodation),
            now,
        )
        for quiz in quizzes
    ]
    labs = list(labs_for_user(user, course))
    runs: dict[int, list[LabRun]] = {}
    for run in LabRun.objects.filter(user=user, lab__in=labs).defer("result", "metrics"):
        runs.setdefault(run.lab_id, []).append(run)
    lab_rows = [LabRow(lab, runs.get(lab.pk, []), due.get(("lab", lab.pk))) for lab in labs]
    flashcards = _flashcards(user, course, now)
    moments = [row.last_viewed_at for row in lesson_rows]
    moments += [a.started_at for rows in attempts.values() for a in rows]
    moments += [run.created_at for rows in runs.values() for run in rows]
    moments.append(flashcards.last_review_at)
    return StudentRecord(
        enrollment=enrollment,
        lessons=lesson_rows,
        quizzes=quiz_rows,
        labs=lab_rows,
        flashcards=flashcards,
        last_active=max((moment for moment in moments if moment), default=None),
    )


def _flashcards(user, course, now: datetime) -> FlashcardSummary:
    visible = visible_flashcards(user, course)
    states = FlashcardReviewState.objects.filter(user=user, flashcard__in=visible).aggregate(
        seen=Count("pk"),
        in_review=Count("pk", filter=Q(state=CardState.REVIEW)),
        due_now=Count("pk", filter=Q(due__lte=now)),
    )
    reviews = FlashcardReview.objects.filter(user=user, flashcard__course=course).aggregate(
        total=Count("pk"),
        week=Count("pk", filter=Q(reviewed_at__gte=now - timedelta(days=7))),
        last=Max("reviewed_at"),
    )
    return FlashcardSummary(
        cards=visible.count(),
        seen=states["seen"],
        in_review=states["in_review"],
        due_now=states["due_now"],
        reviews_total=reviews["total"],
        reviews_7d=reviews["week"],
        last_review_at=reviews["last"],
    )
