"""A class's lab results for export: one row per run of each student (their section and
id, the lab, the run's status, times, parameters and finding), read a chunk at a time so
memory stays flat however big the class."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import OuterRef, Subquery

from cohorts.exports import Row
from cohorts.models import CourseClass, Enrollment, Section
from labs.models import LabRun

HEADER = [
    "Student",
    "Username",
    "Student ID",
    "Section",
    "Lab",
    "Run",
    "Status",
    "Created",
    "Finished",
    "Device",
    "Parameters",
    "Finding",
    "Error",
]


def class_run_rows(
    course_class: CourseClass, sections: list[Section] | None = None
) -> Iterator[Row]:
    """The header, then every run of the class's students (of `sections` only, when given:
    a grader's), by student then time."""
    enrollment = Enrollment.objects.filter(course_class=course_class, user=OuterRef("user"))
    members = {"user__enrollments__course_class": course_class}
    if sections is not None:  # in one filter(): the same enrollment
        members["user__enrollments__section__in"] = sections
    runs = LabRun.objects.filter(lab__course_id=course_class.course_id, **members)
    runs = (
        runs.annotate(
            section_name=Subquery(enrollment.values("section__name")[:1]),
            student_id=Subquery(enrollment.values("student_id")[:1]),
        )
        .select_related("lab", "user")
        .defer("result", "metrics", "samples")
        .order_by("user__last_name", "user__first_name", "user__username", "created_at", "id")
    )
    yield HEADER
    for run in runs.iterator(chunk_size=2_000):
        user = run.user
        shown = {key: value for key, value in run.params.items() if key != "inline_files"}
        yield [
            user.get_full_name() or user.get_username(),
            user.get_username(),
            run.student_id or "",
            run.section_name or "",
            run.lab.title,
            run.pk,
            run.get_status_display(),
            run.created_at,
            run.finished_at,
            run.device,
            json.dumps(shown, sort_keys=True),
            run.headline,
            run.error,
        ]
