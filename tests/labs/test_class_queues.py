"""Per-class lab queues: a class with its own queue sends its students' runs there, and a
place in the queue counts only the runs on that queue."""

import uuid
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CourseClass
from labs.models import LabRun
from labs.selectors import runs_ahead
from tests.factories import enroll, make_class, make_user


def _post(client, lab):
    url = reverse("labs:run-start", args=[lab.course.slug, lab.slug])
    return client.post(url, {"submission": str(uuid.uuid4()), "steps": "10"})


def test_a_run_in_a_class_with_its_own_queue_goes_to_that_queue(
    client, student, lab, published, django_capture_on_commit_callbacks
):
    course_class = CourseClass.objects.get(enrollments__user=student)
    course_class.lab_queue = "ml101"
    course_class.save()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, lab)
    run = LabRun.objects.get()
    assert run.queue == "cpu-ml101" and run.course_class == course_class
    assert published.calls == [{"args": [run.pk, 1], "queue": "cpu-ml101"}]


def test_a_run_in_a_class_without_its_own_queue_goes_to_the_shared_one(
    client, student, lab, published, django_capture_on_commit_callbacks
):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, lab)
    run = LabRun.objects.get()
    assert run.queue == "cpu" and run.course_class.enrollments.filter(user=student).exists()
    assert published.calls[0]["queue"] == "cpu"


def test_an_instructors_run_has_no_class_and_uses_the_shared_queue(
    client, instructor, lab, published
):
    client.force_login(instructor)
    _post(client, lab)
    run = LabRun.objects.get()
    assert run.queue == "cpu" and run.course_class is None


def test_runs_waiting_on_another_classs_queue_do_not_count_ahead(db, lab):
    own = make_class(lab.course, name="Own workers", lab_queue="ml101")
    shared = make_class(lab.course, name="Shared workers")
    mine, theirs = make_user("mine"), make_user("theirs")
    enroll(mine, own)
    enroll(theirs, shared)
    earlier = timezone.now() - timedelta(minutes=5)
    for _ in range(2):
        other = LabRun.objects.create(
            lab=lab, user=theirs, submission=uuid.uuid4(), queue="cpu", course_class=shared
        )
        LabRun.objects.filter(pk=other.pk).update(created_at=earlier, active_slot=None)
    run = LabRun.objects.create(
        lab=lab, user=mine, submission=uuid.uuid4(), queue="cpu-ml101", course_class=own
    )
    assert runs_ahead(run) == 0


def test_the_lab_queues_command_lists_shared_then_each_running_classs_queues(db, course, capsys):
    make_class(course, name="A", lab_queue="ml101")
    make_class(course, name="B", lab_queue="ml101")
    make_class(course, name="Old", lab_queue="old", archived=True)
    call_command("lab_queues")
    assert capsys.readouterr().out.strip() == "cpu,gpu,cpu-ml101,gpu-ml101"
    call_command("lab_queues", "--shared-only")
    assert capsys.readouterr().out.strip() == "cpu,gpu"
