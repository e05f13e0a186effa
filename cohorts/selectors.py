"""Reads about classes: the instructor's class pages, due dates and extra time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import (
    Accommodation,
    CourseClass,
    DueDate,
    DueDateOverride,
    Enrollment,
    Section,
)

if TYPE_CHECKING:
    from course.models import Course
    from labs.models import Lab
    from quizzes.models import Quiz


def classes_for_author() -> QuerySet[CourseClass]:
    """Every class with its student count, newest first within each course (one query)."""
    return (
        CourseClass.objects.select_related("course")
        .annotate(student_count=Count("enrollments"))
        .order_by("archived", "course__title", "-created_at", "id")
    )


def class_sections(
    course_class: CourseClass, grader: AbstractBaseUser | None = None
) -> list[Section]:
    """Sections with their student counts and graders (two queries); with `grader`, only
    the sections that grader is assigned to."""
    sections = course_class.sections.all()
    if grader is not None:
        sections = sections.filter(graders__grader=grader)
    return list(
        sections.annotate(
            student_count=Count("enrollments", filter=Q(enrollments__course_class=course_class))
        ).prefetch_related("graders__grader")
    )


def class_roster(
    course_class: CourseClass, sections: list[Section] | None = None
) -> QuerySet[Enrollment]:
    """The class's students (of `sections` only, when given), with their extra time."""
    roster = Enrollment.objects.filter(course_class=course_class)
    if sections is not None:
        roster = roster.filter(section__in=sections)
    return roster.select_related("user", "section", "accommodation").order_by(
        "section__name", "user__last_name", "user__first_name", "user__username"
    )


def classes_for_member(user: AbstractBaseUser) -> list[tuple[CourseClass, str]]:
    """(class, "student" or "grader") for everyone who is not an instructor (two queries)."""
    enrolled = CourseClass.objects.filter(enrollments__user=user).select_related("course")
    grading = (
        CourseClass.objects.filter(sections__graders__grader=user)
        .exclude(enrollments__user=user)
        .select_related("course")
        .distinct()
    )
    rows = [(row, "student") for row in enrolled] + [(row, "grader") for row in grading]
    return sorted(rows, key=lambda row: (row[0].archived, row[0].course.title, row[0].name))


def enrolled_classes(user) -> QuerySet[CourseClass]:
    return CourseClass.objects.filter(enrollments__user=user).select_related("course")


def enrollment_in_course(user: AbstractBaseUser, course_id: int) -> Enrollment | None:
    """The student's enrollment for a course: a running class first, then the newest."""
    return (
        Enrollment.objects.filter(user=user, course_class__course_id=course_id)
        .select_related("course_class")
        .order_by("course_class__archived", "-course_class__created_at", "-id")
        .first()
    )


def effective_time_limit(user: AbstractBaseUser, quiz: Quiz) -> timedelta | None:
    """A timed quiz's limit for this student, with their accommodation (multiplier, then
    added minutes); None for an untimed quiz."""
    limit = quiz.time_limit
    if limit is None:
        return None
    accommodation = (
        Accommodation.objects.filter(
            enrollment__user=user, enrollment__course_class__course_id=quiz.course_id
        )
        .order_by("enrollment__course_class__archived", "-enrollment__course_class__created_at")
        .first()
    )
    return stretched_limit(limit, accommodation)


def stretched_limit(limit: timedelta | None, accommodation: Accommodation | None):
    """A time limit with extra time: the multiplier first, then the added minutes."""
    if limit is None or accommodation is None:
        return limit
    stretched = limit * float(accommodation.time_multiplier)
    return stretched + timedelta(minutes=accommodation.extra_minutes)


def _student_due_dates(user: AbstractBaseUser, course_id: int) -> QuerySet[DueDate]:
    """The due dates of the student's class of the course (as enrollment_in_course picks
    it), each with `effective`: their override, else their section's, else the class's
    date. No query of its own: the enrollment is a subquery."""
    enrollment = Enrollment.objects.filter(user=user, course_class__course_id=course_id).order_by(
        "course_class__archived", "-course_class__created_at", "-id"
    )
    overrides = DueDateOverride.objects.filter(due_date=OuterRef("pk"))
    mine = overrides.filter(user=user)
    section = overrides.filter(section_id=Subquery(enrollment.values("section_id")[:1]))
    return DueDate.objects.filter(
        course_class_id=Subquery(enrollment.values("course_class_id")[:1])
    ).annotate(
        effective=Coalesce(
            Subquery(mine.values("due_at")[:1]),
            Subquery(section.values("due_at")[:1]),
            F("due_at"),
        )
    )


def due_dates_for_student(
    user: AbstractBaseUser, course_id: int
) -> dict[tuple[str, int], datetime]:
    """Every due date of the student's class of the course, as ("quiz" or "lab", id) ->
    the date that applies to them (the rule of due_for_student); empty without a class.
    One query, however many dates the class has."""
    rows = _student_due_dates(user, course_id).values_list("quiz_id", "lab_id", "effective")
    return {
        ("quiz", quiz_id) if quiz_id else ("lab", lab_id): effective
        for quiz_id, lab_id, effective in rows
    }


def due_for_student(user: AbstractBaseUser, item: Quiz | Lab) -> datetime | None:
    """When `item` (a quiz or a lab) is due for this student: their own override, else
    their section's, else the class's date; None when their class sets none (one query)."""
    kind = "quiz" if item._meta.model_name == "quiz" else "lab"
    rows = _student_due_dates(user, item.course_id).filter(**{kind: item})
    return rows.values_list("effective", flat=True).first()


@dataclass
class DueItem:
    """A quiz or lab on a student's "Due" list, with the date that applies to them."""

    kind: str  # "quiz" or "lab"
    item: Quiz | Lab
    due_at: datetime
    done: bool  # a submitted attempt at the quiz; a run of the lab that did not fail
    overdue: bool  # past its date and not done


def due_items_for_student(user: AbstractBaseUser, course: Course) -> list[DueItem]:
    """The quizzes and labs this student can open that have a due date for them, soonest
    first; empty for anyone in no class of the course. One query, however many."""
    from labs.models import LabRun
    from labs.selectors import labs_for_user
    from quizzes.models import Attempt, AttemptState
    from quizzes.selectors import quizzes_for_user

    submitted = Attempt.objects.filter(
        quiz=OuterRef("quiz_id"), user=user, state=AttemptState.SUBMITTED
    )
    worked = LabRun.objects.filter(lab=OuterRef("lab_id"), user=user).exclude(
        status__in=[LabRun.Status.FAILED, LabRun.Status.CANCELLED]
    )
    rows = (
        _student_due_dates(user, course.pk)
        .filter(
            Q(quiz__in=quizzes_for_user(user, course).values("pk"))
            | Q(lab__in=labs_for_user(user, course).values("pk"))
        )
        .annotate(quiz_done=Exists(submitted), lab_done=Exists(worked))
        .select_related("quiz", "lab")
        .order_by("effective", "id")
    )
    now = timezone.now()
    items = []
    for row in rows:
        item = row.quiz or row.lab
        item.course = course  # for its URL, without a query
        done = row.quiz_done if row.quiz_id else row.lab_done
        kind = "quiz" if row.quiz_id else "lab"
        items.append(DueItem(kind, item, row.effective, done, not done and row.effective < now))
    return items


def lab_queue_names(*, shared_only: bool = False) -> list[str]:
    """The shared lab queues, then every running class's own ("cpu-ml101", "gpu-ml101")."""
    from labs.models import Lab

    shared = [queue for queue, _ in Lab.Queue.choices]
    if shared_only:
        return shared
    own = (
        CourseClass.objects.filter(archived=False)
        .exclude(lab_queue="")
        .values_list("lab_queue", flat=True)
        .distinct()
        .order_by("lab_queue")
    )
    return shared + [f"{queue}-{name}" for name in own for queue in shared]


@dataclass
class ClassRunsQueue:
    active: list  # queued and running runs of the class, oldest first, with .position
    recent: list  # the class's last finished runs
    queues: list[str]
    oldest_wait: timedelta | None  # how long the oldest queued run has waited


def class_lab_runs(
    course_class: CourseClass,
    *,
    now: datetime,
    sections: list[Section] | None = None,
    recent: int = 50,
) -> ClassRunsQueue:
    """The class's lab queue: its active runs with their place on their queue (the runs of
    every class sharing that queue count), and its recent finished runs (three queries).
    With `sections` (a grader's), only the runs of those sections' students."""
    from labs.models import Lab, LabRun

    active_states = [LabRun.Status.QUEUED, LabRun.Status.RUNNING]
    runs = LabRun.objects.select_related("lab", "user").defer("result", "metrics", "samples")
    if sections is not None:
        runs = runs.filter(
            user__enrollments__course_class=course_class,
            user__enrollments__section__in=sections,
        )
    active = list(
        runs.filter(course_class=course_class, status__in=active_states).order_by("created_at")
    )
    queues = sorted({run.queue for run in active})
    waiting = LabRun.objects.filter(queue__in=queues, status=LabRun.Status.QUEUED).order_by(
        "created_at"
    )
    places: dict[int, int] = {}
    seen: dict[str, int] = {}
    for run_id, queue in waiting.values_list("pk", "queue"):
        seen[queue] = seen.get(queue, 0) + 1
        places[run_id] = seen[queue]
    for run in active:
        run.position = places.get(run.pk)
    queued = [run.created_at for run in active if run.status == LabRun.Status.QUEUED]
    finished = runs.filter(course_class=course_class).exclude(status__in=active_states)
    return ClassRunsQueue(
        active=active,
        recent=list(finished.order_by("-created_at")[:recent]),
        queues=[course_class.queue_for(queue) for queue, _ in Lab.Queue.choices],
        oldest_wait=now - min(queued) if queued else None,
    )
