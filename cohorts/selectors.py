"""Reads about classes: the instructor's class pages, due dates and extra time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
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


def effective_due(user: AbstractBaseUser, item: Quiz | Lab) -> datetime | None:
    """When `item` (a quiz or a lab) is due for this student: their own override, else
    their section's, else the class's date; None when their class sets none (3 queries)."""
    enrollment = enrollment_in_course(user, item.course_id)
    if enrollment is None:
        return None
    field = "quiz" if item._meta.model_name == "quiz" else "lab"
    due = DueDate.objects.filter(
        course_class_id=enrollment.course_class_id, **{field: item}
    ).first()
    if due is None:
        return None
    mine = Q(user=user)
    if enrollment.section_id:
        mine |= Q(section_id=enrollment.section_id)
    overrides = {
        "user" if row.user_id else "section": row.due_at for row in due.overrides.filter(mine)
    }
    return overrides.get("user") or overrides.get("section") or due.due_at


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
    if accommodation is None:
        return limit
    stretched = limit * float(accommodation.time_multiplier)
    return stretched + timedelta(minutes=accommodation.extra_minutes)


def due_dates_for_student(
    user: AbstractBaseUser, course_id: int
) -> dict[tuple[str, int], datetime]:
    """Every due date of the student's class of the course, as ("quiz" or "lab", id) ->
    the date that applies to them (their override, else their section's, else the
    class's); empty without a class. Two queries, however many dates the class has."""
    enrollment = enrollment_in_course(user, course_id)
    if enrollment is None:
        return {}
    overrides = DueDateOverride.objects.filter(due_date=OuterRef("pk"))
    candidates = [Subquery(overrides.filter(user=user).values("due_at")[:1])]
    if enrollment.section_id:
        mine = overrides.filter(section_id=enrollment.section_id)
        candidates.append(Subquery(mine.values("due_at")[:1]))
    rows = (
        DueDate.objects.filter(course_class_id=enrollment.course_class_id)
        .annotate(effective=Coalesce(*candidates, F("due_at")))
        .values_list("quiz_id", "lab_id", "effective")
    )
    return {
        ("quiz", quiz_id) if quiz_id else ("lab", lab_id): effective
        for quiz_id, lab_id, effective in rows
    }


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
    first; empty for anyone in no class of the course (four queries at most, however
    many dates there are)."""
    from labs.models import LabRun
    from labs.selectors import labs_for_user
    from quizzes.models import AttemptState
    from quizzes.selectors import quizzes_for_user

    dates = due_dates_for_student(user, course.pk)
    quiz_ids = [pk for kind, pk in dates if kind == "quiz"]
    lab_ids = [pk for kind, pk in dates if kind == "lab"]
    found: list[tuple[str, Quiz | Lab]] = []
    if quiz_ids:
        submitted = Q(attempts__user=user, attempts__state=AttemptState.SUBMITTED)
        quizzes = quizzes_for_user(user, course).filter(pk__in=quiz_ids)
        found += [
            ("quiz", quiz) for quiz in quizzes.annotate(done=Count("attempts", filter=submitted))
        ]
    if lab_ids:
        worked = Q(runs__user=user) & ~Q(
            runs__status__in=[LabRun.Status.FAILED, LabRun.Status.CANCELLED]
        )
        labs = labs_for_user(user, course).filter(pk__in=lab_ids)
        found += [("lab", lab) for lab in labs.annotate(done=Count("runs", filter=worked))]
    now = timezone.now()
    items = []
    for kind, item in found:
        item.course = course  # for its URL, without a query
        due_at = dates[kind, item.pk]
        items.append(DueItem(kind, item, due_at, bool(item.done), not item.done and due_at < now))
    return sorted(items, key=lambda row: (row.due_at, row.item.title))
