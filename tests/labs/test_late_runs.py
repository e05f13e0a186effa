"""A lab run started after the student's own due date shows Late (worked out on display
from the run's start and the due date); it is run all the same."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cohorts.models import CourseClass, DueDate, DueDateOverride
from labs.models import LabRun


def _due(lab, when) -> DueDate:
    course_class = CourseClass.objects.get(course=lab.course)
    return DueDate.objects.create(course_class=course_class, item=lab, due_at=when)


def _run(lab, user) -> LabRun:
    return LabRun.objects.create(lab=lab, user=user, submission=uuid.uuid4(), params={})


def test_a_run_started_after_the_due_date_shows_late(client, student, lab, published):
    _due(lab, timezone.now() - timedelta(hours=1))
    client.force_login(student)
    page = client.get(lab.get_absolute_url()).text
    assert "you can still run it" in page and "data-run-button" in page
    form = {"submission": str(uuid.uuid4()), "steps": "5"}
    response = client.post(reverse("labs:run-start", args=[lab.course.slug, lab.slug]), form)
    assert response.status_code == 302  # accepted: late work is never refused
    run = LabRun.objects.get(user=student)
    assert 'class="badge badge-late">Late<' in client.get(lab.get_absolute_url()).text
    assert 'class="badge badge-late">Late<' in client.get(run.get_absolute_url()).text


def test_a_run_started_before_the_due_date_is_not_late(client, student, lab):
    _due(lab, timezone.now() + timedelta(days=1))
    run = _run(lab, student)
    client.force_login(student)
    assert "badge-late" not in client.get(lab.get_absolute_url()).text
    page = client.get(run.get_absolute_url()).text
    assert 'data-testid="due"' in page and "badge-late" not in page


def test_an_extension_makes_the_same_run_on_time(client, student, lab):
    due = _due(lab, timezone.now() - timedelta(hours=1))
    run = _run(lab, student)
    client.force_login(student)
    assert "badge-late" in client.get(run.get_absolute_url()).text
    DueDateOverride.objects.create(
        due_date=due, user=student, due_at=timezone.now() + timedelta(days=1)
    )
    assert "badge-late" not in client.get(run.get_absolute_url()).text


def test_an_instructor_sees_a_students_run_late_by_the_students_date(
    client, instructor, student, lab
):
    _due(lab, timezone.now() - timedelta(hours=1))
    run = _run(lab, student)
    client.force_login(instructor)
    assert "badge-late" in client.get(run.get_absolute_url()).text
