"""Reads about classes: the instructor's class pages, due dates and extra time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.coursework import coursework
from cohorts.models import (
    Accommodation,
    CourseClass,
    DueDate,
    DueDateOverride,
    Enrollment,
    Section,
)
from course.models import Course


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


def enrollment_in_course(user: AbstractBaseUser, course_id: int) -> Enrollment | None:
    """The student's enrollment for a course: a running class first, then the newest."""
    return (
        Enrollment.objects.filter(user=user, course_class__course_id=course_id)
        .select_related("course_class")
        .order_by("course_class__archived", "-course_class__created_at", "-id")
        .first()
    )


def effective_time_limit(user: AbstractBaseUser, quiz: Model) -> timedelta | None:
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
    return accommodation.stretch(limit) if accommodation else limit


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
    return (
        DueDate.objects.with_kind()
        .filter(course_class_id=Subquery(enrollment.values("course_class_id")[:1]))
        .annotate(
            effective=Coalesce(
                Subquery(mine.values("due_at")[:1]),
                Subquery(section.values("due_at")[:1]),
                F("due_at"),
            )
        )
    )


def due_dates_for_student(
    user: AbstractBaseUser, course_id: int
) -> dict[tuple[str, int], datetime]:
    """Every due date of the student's class of the course, as (kind, id) -> the date that
    applies to them (the rule of due_for_student); empty without a class. One query,
    however many dates the class has."""
    rows = _student_due_dates(user, course_id)
    return {(row.kind, row.item_id): row.effective for row in rows}


def due_for_student(user: AbstractBaseUser, item: Model) -> datetime | None:
    """When `item` (a quiz or a lab) is due for this student: their own override, else
    their section's, else the class's date; None when their class sets none (one query)."""
    rows = _student_due_dates(user, item.course_id).for_item(item)
    return rows.values_list("effective", flat=True).first()


@dataclass
class DueItem:
    """A quiz or lab on a student's "Due" list, with the date that applies to them."""

    kind: str  # "quiz" or "lab"
    item: Model
    due_at: datetime
    done: bool  # a submitted attempt at the quiz; a run of the lab that did not fail
    overdue: bool  # past its date and not done


def due_items_for_student(user: AbstractBaseUser, course: Course) -> list[DueItem]:
    """The course work this student can open that has a due date for them, soonest
    first; empty for anyone in no class of the course. One query for the dates and one
    per kind of course work for the items, however many."""
    kinds = coursework()
    if not kinds:
        return []
    visible = Q()
    done = {}
    for work in kinds:
        meta = work.model._meta
        visible |= Q(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id__in=work.visible(user, course).values("pk"),
        )
        hand_ins = work.handed_in().filter(user=user, **{work.kind: OuterRef("object_id")})
        done[f"{work.kind}_done"] = Exists(hand_ins)
    rows = (
        _student_due_dates(user, course.pk)
        .filter(visible)
        .annotate(**done)
        .prefetch_related("item")  # one query per kind of course work
        .order_by("effective", "id")
    )
    now = timezone.now()
    items = []
    for row in rows:
        item = row.item
        item.course = course  # for its URL, without a query
        finished = getattr(row, f"{row.kind}_done")
        overdue = not finished and row.effective < now
        items.append(DueItem(row.kind, item, row.effective, finished, overdue))
    return items
