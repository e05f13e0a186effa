"""Labs as course work of a class (cohorts.coursework): what a class can date, what
counts as handed in (a run that did not fail), and the lab panels of the class dashboard
and a student's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from cohorts.coursework import Bar, ClassContext, Coursework, Panel, RecordPanel, StudentContext
from labs.models import Lab, LabRun
from labs.selectors import labs_for_user


@dataclass
class LabRow:
    lab: Lab
    runs: list[LabRun]
    due_at: datetime | None

    @property
    def finished(self) -> int:
        return sum(run.status == LabRun.Status.SUCCEEDED for run in self.runs)


def datable(course_id: int) -> QuerySet[Lab]:
    return Lab.objects.filter(course_id=course_id, archived=False).order_by("order", "id")


def handed_in() -> QuerySet[LabRun]:
    return LabRun.objects.exclude(status__in=[LabRun.Status.FAILED, LabRun.Status.CANCELLED])


def last_active(course_id: int, students: QuerySet) -> QuerySet:
    return (
        LabRun.objects.filter(lab__course_id=course_id, user__in=students)
        .values("user")
        .annotate(at=Max("created_at"))
    )


def record(student: StudentContext) -> RecordPanel:
    """The student's labs: their runs (newest first) and the due date that applies."""
    labs = list(labs_for_user(student.user, student.course))
    runs: dict[int, list[LabRun]] = {}
    for run in LabRun.objects.filter(user=student.user, lab__in=labs).defer("result", "metrics"):
        runs.setdefault(run.lab_id, []).append(run)
    rows = [LabRow(lab, runs.get(lab.pk, []), student.due.get(("lab", lab.pk))) for lab in labs]
    created = [run.created_at for rows in runs.values() for run in rows]
    return RecordPanel(
        "labs/partials/student_record.html", {"rows": rows}, max(created, default=None)
    )


def dashboard(board: ClassContext) -> Panel:
    """Runs per lab by the class's students (one query)."""
    labs = list(
        Lab.objects.filter(course_id=board.course_id, archived=False)
        .annotate(run_count=Count("runs", filter=Q(runs__user__in=board.students)))
        .order_by("order", "id")
    )
    most = max((lab.run_count for lab in labs), default=0)
    runs = [Bar(lab.title, lab.run_count, most) for lab in labs]
    return Panel("labs/partials/class_dashboard.html", {"runs": runs})


LABS = Coursework(
    model=Lab,
    order=2,
    datable=datable,
    visible=labs_for_user,
    handed_in=handed_in,
    last_active=last_active,
    record=record,
    dashboard=dashboard,
)
