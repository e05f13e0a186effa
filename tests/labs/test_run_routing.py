"""Routing: a run goes to the `gpu` queue where a GPU worker serves it
(``LABS_GPU_QUEUE_ENABLED``) and to `cpu` otherwise, whatever the lab names; the student
starts it the same way either way."""

import uuid

import pytest
from django.urls import reverse

from cohorts.models import CourseClass
from labs.models import LabRun
from labs.tasks import worker_queue


def _post(client, lab):
    url = reverse("labs:run-start", args=[lab.course.slug, lab.slug])
    return client.post(url, {"submission": str(uuid.uuid4()), "steps": "10"})


@pytest.mark.parametrize("lab_queue", ["cpu", "gpu"])
def test_with_a_gpu_worker_a_students_run_goes_to_the_gpu_queue(
    client, student, lab, published, settings, django_capture_on_commit_callbacks, lab_queue
):
    settings.LABS_GPU_QUEUE_ENABLED = True
    lab.queue = lab_queue
    lab.save()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, lab)
    run = LabRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert run.queue == "gpu"
    assert published.calls == [{"args": [run.pk, 1], "queue": "gpu"}]


@pytest.mark.parametrize("lab_queue", ["cpu", "gpu"])
def test_without_a_gpu_worker_every_run_goes_to_the_cpu_queue(
    client, student, lab, published, settings, django_capture_on_commit_callbacks, lab_queue
):
    settings.LABS_GPU_QUEUE_ENABLED = False
    lab.queue = lab_queue
    lab.save()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, lab)
    run = LabRun.objects.get()
    assert response.status_code == 302
    assert run.queue == "cpu" and published.calls[0]["queue"] == "cpu"


def test_a_class_with_its_own_workers_gets_its_own_gpu_queue(
    client, student, lab, published, settings, django_capture_on_commit_callbacks
):
    settings.LABS_GPU_QUEUE_ENABLED = True
    CourseClass.objects.filter(enrollments__user=student).update(lab_queue="ml101")
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, lab)
    assert LabRun.objects.get().queue == "gpu-ml101"
    assert published.calls[0]["queue"] == "gpu-ml101"


def test_a_queue_of_an_operators_own_is_kept(settings):
    settings.LABS_GPU_QUEUE_ENABLED = True
    assert worker_queue("test-1234") == "test-1234"
    settings.LABS_GPU_QUEUE_ENABLED = False
    assert worker_queue("test-1234") == "test-1234"


def test_a_run_the_student_may_not_start_is_refused_whatever_the_queue(
    client, student, lab, published, settings
):
    settings.LABS_GPU_QUEUE_ENABLED = True
    lab.published = False
    lab.save()
    client.force_login(student)
    assert _post(client, lab).status_code == 404
    assert not LabRun.objects.exists() and published.calls == []
