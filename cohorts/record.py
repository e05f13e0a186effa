"""One student's record in a class, for the instructor and the student's graders: what
they read, reviewed, submitted and ran, with their due dates and extra time.

Lessons and flashcards are the course's; quizzes and labs add their own panels through
cohorts.coursework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q

from cohorts.coursework import RecordPanel, StudentContext, coursework
from cohorts.models import Accommodation, Enrollment
from cohorts.selectors import due_dates_for_student
from course.models import CardState, FlashcardReview, FlashcardReviewState, Lesson
from course.selectors import lessons_for_user, progress_by_lesson, visible_flashcards


@dataclass
class LessonRow:
    lesson: Lesson
    last_viewed_at: datetime | None
    completed_at: datetime | None


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
    panels: dict[str, RecordPanel]  # kind of course work -> its panel (quizzes, then labs)
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
    try:
        accommodation = enrollment.accommodation
    except Accommodation.DoesNotExist:
        accommodation = None
    student = StudentContext(
        user=user,
        course=course,
        due=due_dates_for_student(user, course.pk),
        accommodation=accommodation,
        now=now,
    )
    panels = {work.kind: work.record(student) for work in coursework()}
    flashcards = _flashcards(user, course, now)
    moments = [row.last_viewed_at for row in lesson_rows]
    moments += [panel.last_active for panel in panels.values()]
    moments.append(flashcards.last_review_at)
    return StudentRecord(
        enrollment=enrollment,
        lessons=lesson_rows,
        panels=panels,
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
