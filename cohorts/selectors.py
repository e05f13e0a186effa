"""Reads about classes, for the instructor's class pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from cohorts.models import CourseClass, Enrollment, Section


def classes_for_author() -> QuerySet[CourseClass]:
    """Every class with its student count, newest first within each course (one query)."""
    return (
        CourseClass.objects.select_related("course")
        .annotate(student_count=Count("enrollments"))
        .order_by("archived", "course__title", "-created_at", "id")
    )


def class_sections(course_class: CourseClass) -> list[Section]:
    """Sections with their student counts and graders (two queries)."""
    return list(
        course_class.sections.annotate(
            student_count=Count("enrollments", filter=Q(enrollments__course_class=course_class))
        ).prefetch_related("graders__grader")
    )


def class_roster(course_class: CourseClass) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(course_class=course_class)
        .select_related("user", "section")
        .order_by("section__name", "user__last_name", "user__first_name", "user__username")
    )


def enrolled_classes(user) -> QuerySet[CourseClass]:
    return CourseClass.objects.filter(enrollments__user=user).select_related("course")
