"""A student's grades page lists their labs too: the runs they handed in (not the failed
or cancelled ones), the latest with its finding, and the date that applied to them."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cohorts.models import DueDate
from labs.models import LabRun


def _run(lab, user, status, **fields) -> LabRun:
    return LabRun.objects.create(
        lab=lab, user=user, submission=uuid.uuid4(), params={}, status=status, **fields
    )


def _rows(client, lab) -> list[str]:
    page = client.get(reverse("quizzes:grades", args=[lab.course.slug])).text
    return [part.split("</tr>")[0] for part in page.split('data-testid="lab-result-row"')[1:]]


def test_the_grades_page_lists_the_runs_i_handed_in_with_the_latest_finding(
    client, student, other_student, lab
):
    _run(lab, student, LabRun.Status.SUCCEEDED, headline="Gold rose from 0.1 to 0.9.")
    _run(lab, student, LabRun.Status.FAILED, error="out of memory")
    _run(lab, other_student, LabRun.Status.SUCCEEDED, headline="Someone else's finding")
    client.force_login(student)
    (row,) = _rows(client, lab)
    assert "<td>1</td>" in row and "Gold rose from 0.1 to 0.9." in row
    assert "Someone else" not in row and "Late" not in row


def test_a_lab_first_run_after_its_due_date_is_marked_late_and_none_is_missing(
    client, student, lab, fixture_class
):
    course_class = lab.course.classes.get()
    DueDate.objects.create(
        course_class=course_class, item=lab, due_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(student)
    (row,) = _rows(client, lab)
    assert "Missing" in row and "none" in row
    _run(lab, student, LabRun.Status.RUNNING)
    (row,) = _rows(client, lab)
    assert "Late" in row and "<td>1</td>" in row
