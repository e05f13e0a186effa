"""The instructor's dashboard of one class, read in a constant number of queries
whatever the class size: every figure is one aggregate over the class's students.

Lessons and flashcards are the course's; quizzes and labs add their own panels and
figures through cohorts.coursework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncWeek

from cohorts.coursework import Bar, ClassContext, Panel, coursework
from cohorts.models import CourseClass, DueDate, DueDateOverride, Enrollment
from course.models import FlashcardReview, Lesson, LessonProgress

WEEKS = 8
LOW_SCORE = 50  # percent


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
    reviews_by_week: list[Bar]
    panels: dict[str, Panel]  # kind of course work -> its panel (quizzes, then labs)
    behind: list[StudentBehind]
    idle_days: int


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
    behind = _students_behind(enrollments, students, course_id, now=now, idle_days=idle_days)
    most_reviews = max((count for _, count in week_rows), default=0)
    context = ClassContext(course_id=course_id, students=students, total=total)
    return Dashboard(
        students=total,
        sections=[Bar(name, count, total) for name, count in sorted(by_section.items())],
        lessons=[Bar(lesson.title, lesson.done, total) for lesson in lessons],
        reviews_by_week=[Bar(f"{week:%d %b}", count, most_reviews) for week, count in week_rows],
        panels={work.kind: work.dashboard(context) for work in coursework()},
        behind=behind,
        idle_days=idle_days,
    )


def _students_behind(enrollments, students, course_id, *, now, idle_days) -> list[StudentBehind]:
    """No activity (lesson views, flashcard reviews, and each kind of course work's own:
    quiz attempts, lab runs) for `idle_days`, a mean quiz score under LOW_SCORE percent,
    or work past its due date not handed in: a fixed number of queries."""
    last: dict[int, datetime] = {}
    sources = [
        LessonProgress.objects.filter(lesson__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("last_viewed_at")),
        FlashcardReview.objects.filter(flashcard__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("reviewed_at")),
    ]
    sources += [work.last_active(course_id, students) for work in coursework()]
    for rows in sources:
        for row in rows:
            if row["at"] and (row["user"] not in last or row["at"] > last[row["user"]]):
                last[row["user"]] = row["at"]
    scores: dict[int, float | None] = {}
    for work in coursework():
        if work.mean_scores is not None:
            scores.update(work.mean_scores(course_id, students))
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
    nothing handed in (a submitted attempt, a run that did not fail): two queries, then
    one per kind of course work, whatever the size."""
    if not enrollments:
        return {}
    course_class_id = enrollments[0].course_class_id
    dues = list(DueDate.objects.with_kind().filter(course_class_id=course_class_id))
    if not dues:
        return {}
    by_section: dict[tuple[int, int], datetime] = {}
    by_user: dict[tuple[int, int], datetime] = {}
    for row in DueDateOverride.objects.filter(due_date__in=dues):
        if row.user_id:
            by_user[(row.due_date_id, row.user_id)] = row.due_at
        else:
            by_section[(row.due_date_id, row.section_id)] = row.due_at
    handed_in: set[tuple[str, int, int]] = set()
    for work in coursework():
        dated = [due.item_id for due in dues if due.kind == work.kind]
        rows = work.handed_in().filter(user__in=students, **{f"{work.kind}_id__in": dated})
        handed_in.update(
            (work.kind, user, item) for user, item in rows.values_list("user", work.kind)
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
            if (due.kind, user_id, due.item_id) not in handed_in:
                missing[user_id] = missing.get(user_id, 0) + 1
    return missing
