"""The instructor's dashboard of one class, read in a constant number of queries
whatever the class size: every figure is one aggregate over the class's students."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Max, Q
from django.db.models.functions import NullIf, TruncWeek

from cohorts.models import CourseClass, DueDate, DueDateOverride, Enrollment
from course.models import FlashcardReview, Lesson, LessonProgress
from labs.models import Lab, LabRun
from quizzes.models import Attempt, AttemptState, Quiz

WEEKS = 8
LOW_SCORE = 50  # percent


@dataclass
class Bar:
    label: str
    value: int | float | None
    of: int | float  # the bar's full width

    @property
    def percent(self) -> int:
        return round(100 * (self.value or 0) / self.of) if self.of else 0


@dataclass
class StudentBehind:
    enrollment: Enrollment
    last_active: datetime | None
    mean_score: float | None
    reasons: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    students: int
    sections: list[Bar]
    lessons: list[Bar]  # students who completed each lesson, in reading order
    quiz_completion: list[Bar]  # students with a submitted attempt
    quiz_scores: list[Bar]  # mean percent of submitted attempts
    reviews_by_week: list[Bar]
    lab_runs: list[Bar]
    behind: list[StudentBehind]
    idle_days: int


def _percent():
    return ExpressionWrapper(
        F("score") * 100.0 / NullIf(F("max_score"), 0), output_field=FloatField()
    )


def class_dashboard(course_class: CourseClass, *, now: datetime, idle_days: int = 7) -> Dashboard:
    course_id = course_class.course_id
    enrollments = list(
        Enrollment.objects.filter(course_class=course_class)
        .select_related("user", "section")
        .order_by("user__last_name", "user__username")
    )
    students = Enrollment.objects.filter(course_class=course_class).values("user")
    total = len(enrollments)

    by_section: dict[str, int] = {}
    for enrollment in enrollments:
        name = enrollment.section.name if enrollment.section else "No section"
        by_section[name] = by_section.get(name, 0) + 1

    completed = Q(progress__completed_at__isnull=False, progress__user__in=students)
    lessons = (
        Lesson.objects.filter(
            course_id=course_id,
            archived=False,
            published=True,
            module__archived=False,
            module__published=True,
        )
        .annotate(done=Count("progress", filter=completed))
        .order_by("module__order", "order", "id")
    )
    submitted = Q(attempts__state=AttemptState.SUBMITTED, attempts__user__in=students)
    quizzes = list(
        Quiz.objects.filter(course_id=course_id, archived=False)
        .annotate(
            takers=Count("attempts__user", filter=submitted, distinct=True),
            mean=Avg(
                F("attempts__score") * 100.0 / NullIf(F("attempts__max_score"), 0),
                filter=submitted,
                output_field=FloatField(),
            ),
        )
        .order_by("title")
    )
    since = now - timedelta(weeks=WEEKS)
    weeks = (
        FlashcardReview.objects.filter(
            flashcard__course_id=course_id, user__in=students, reviewed_at__gte=since
        )
        .annotate(week=TruncWeek("reviewed_at"))
        .values("week")
        .annotate(count=Count("id"))
        .order_by("week")
    )
    week_rows = [(row["week"], row["count"]) for row in weeks]
    labs = (
        Lab.objects.filter(course_id=course_id, archived=False)
        .annotate(run_count=Count("runs", filter=Q(runs__user__in=students)))
        .order_by("order", "id")
    )
    behind = _students_behind(enrollments, students, course_id, now=now, idle_days=idle_days)
    most_reviews = max((count for _, count in week_rows), default=0)
    most_runs = max((lab.run_count for lab in labs), default=0)
    return Dashboard(
        students=total,
        sections=[Bar(name, count, total) for name, count in sorted(by_section.items())],
        lessons=[Bar(lesson.title, lesson.done, total) for lesson in lessons],
        quiz_completion=[Bar(quiz.title, quiz.takers, total) for quiz in quizzes],
        quiz_scores=[
            Bar(quiz.title, round(quiz.mean) if quiz.mean is not None else None, 100)
            for quiz in quizzes
        ],
        reviews_by_week=[Bar(f"{week:%d %b}", count, most_reviews) for week, count in week_rows],
        lab_runs=[Bar(lab.title, lab.run_count, most_runs) for lab in labs],
        behind=behind,
        idle_days=idle_days,
    )


def _students_behind(enrollments, students, course_id, *, now, idle_days) -> list[StudentBehind]:
    """No activity (lesson views, flashcard reviews, quiz attempts, lab runs) for
    `idle_days`, a mean quiz score under LOW_SCORE percent, or work past its due date
    not handed in: eight queries."""
    last: dict[int, datetime] = {}
    sources = [
        LessonProgress.objects.filter(lesson__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("last_viewed_at")),
        FlashcardReview.objects.filter(flashcard__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("reviewed_at")),
        LabRun.objects.filter(lab__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("created_at")),
    ]
    for rows in sources:
        for row in rows:
            if row["at"] and (row["user"] not in last or row["at"] > last[row["user"]]):
                last[row["user"]] = row["at"]
    scores: dict[int, float | None] = {}
    attempts = (
        Attempt.objects.filter(quiz__course_id=course_id, user__in=students)
        .values("user")
        .annotate(
            at=Max("started_at"),
            mean=Avg(_percent(), filter=Q(state=AttemptState.SUBMITTED)),
        )
    )
    for row in attempts:
        scores[row["user"]] = row["mean"]
        if row["user"] not in last or row["at"] > last[row["user"]]:
            last[row["user"]] = row["at"]
    missing = _missing_work(enrollments, students, now=now)
    cutoff = now - timedelta(days=idle_days)
    behind = []
    for enrollment in enrollments:
        row = StudentBehind(
            enrollment, last.get(enrollment.user_id), scores.get(enrollment.user_id)
        )
        if missing.get(enrollment.user_id):
            count = missing[enrollment.user_id]
            row.reasons.append(f"{count} past due, not handed in")
        if row.last_active is None:
            row.reasons.append("no activity yet")
        elif row.last_active < cutoff:
            row.reasons.append(f"no activity for {(now - row.last_active).days} days")
        if row.mean_score is not None and row.mean_score < LOW_SCORE:
            row.reasons.append(f"mean quiz score {round(row.mean_score)}%")
        if row.reasons:
            behind.append(row)
    return behind


def _missing_work(enrollments, students, *, now) -> dict[int, int]:
    """Per student, the quizzes and labs past their own due date (overrides applied) with
    no submitted attempt or no run that did not fail: four queries whatever the size."""
    if not enrollments:
        return {}
    course_class_id = enrollments[0].course_class_id
    dues = list(DueDate.objects.filter(course_class_id=course_class_id))
    if not dues:
        return {}
    by_section: dict[tuple[int, int], datetime] = {}
    by_user: dict[tuple[int, int], datetime] = {}
    for row in DueDateOverride.objects.filter(due_date__in=dues):
        if row.user_id:
            by_user[(row.due_date_id, row.user_id)] = row.due_at
        else:
            by_section[(row.due_date_id, row.section_id)] = row.due_at
    handed_in = set(
        Attempt.objects.filter(
            user__in=students, state=AttemptState.SUBMITTED, quiz__due_dates__in=dues
        ).values_list("user", "quiz")
    )
    ran = set(
        LabRun.objects.filter(user__in=students, lab__due_dates__in=dues)
        .exclude(status__in=[LabRun.Status.FAILED, LabRun.Status.CANCELLED])
        .values_list("user", "lab")
    )
    missing: dict[int, int] = {}
    for enrollment in enrollments:
        user_id = enrollment.user_id
        for due in dues:
            due_at = (
                by_user.get((due.pk, user_id))
                or by_section.get((due.pk, enrollment.section_id))
                or due.due_at
            )
            if due_at >= now:
                continue
            done = (
                (user_id, due.quiz_id) in handed_in
                if due.quiz_id
                else ((user_id, due.lab_id) in ran)
            )
            if not done:
                missing[user_id] = missing.get(user_id, 0) + 1
    return missing
