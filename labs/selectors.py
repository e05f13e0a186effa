"""Reads for the lab pages."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from course.models import Course
from course.selectors import can_author, lessons_for_user
from labs.models import Lab, LabRun


def labs_for_user(user: AbstractBaseUser, course: Course) -> QuerySet[Lab]:
    """Labs of the course this user may open: published ones whose lesson they can see."""
    labs = Lab.objects.filter(course=course, archived=False)
    if not can_author(user):
        visible = lessons_for_user(user, course).values("pk")
        labs = labs.filter(published=True).filter(Q(lesson__isnull=True) | Q(lesson__in=visible))
    return labs.order_by("order", "id")


def runs_of(user: AbstractBaseUser, lab: Lab, limit: int = 50) -> list[LabRun]:
    return list(LabRun.objects.filter(user=user, lab=lab).defer("result")[:limit])


def runs_ahead(run: LabRun) -> int:
    """Runs queued on the same queue before this one ("2 runs ahead of yours")."""
    if run.status != LabRun.Status.QUEUED:
        return 0
    return LabRun.objects.filter(
        queue=run.queue, status=LabRun.Status.QUEUED, created_at__lt=run.created_at
    ).count()


def lab_for_lesson(user: AbstractBaseUser, lesson) -> list[Lab]:
    return list(labs_for_user(user, lesson.course).filter(lesson=lesson))
