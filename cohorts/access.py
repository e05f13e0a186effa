"""Who may see a class's staff pages (the course-level rule is course.access): every
helper 404s, so nobody learns that a class or a student exists."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from cohorts.models import CourseClass, Enrollment
from course.access import can_author


def get_class_for_author(user: AbstractBaseUser, class_id: int) -> CourseClass:
    """Instructors run every class; anyone else gets a 404 (never learn a class exists)."""
    if not can_author(user):
        raise Http404
    return get_object_or_404(CourseClass.objects.select_related("course"), pk=class_id)


def get_class_for_staff(user: AbstractBaseUser, class_id: int) -> CourseClass:
    """Instructors see every class; a grader sees the classes whose sections they grade."""
    classes = CourseClass.objects.select_related("course")
    if not can_author(user):
        classes = classes.filter(sections__graders__grader=user).distinct()
    return get_object_or_404(classes, pk=class_id)


def get_enrollment_for_staff(user: AbstractBaseUser, class_id: int, student_id: int) -> Enrollment:
    """A student's enrollment, for an instructor or for a grader of the student's section;
    anyone else (the student included: their pages are the course's) gets a 404."""
    enrollments = Enrollment.objects.select_related(
        "user", "section", "course_class__course", "accommodation"
    )
    if not can_author(user):
        enrollments = enrollments.filter(section__graders__grader=user)
    return get_object_or_404(enrollments, course_class_id=class_id, user_id=student_id)
