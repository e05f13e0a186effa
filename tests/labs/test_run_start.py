"""Pressing Run: a queued run, once per form, at most two active per student."""

import uuid

from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from labs.models import LabRun


def _url(lab) -> str:
    return reverse("labs:run-start", args=[lab.course.slug, lab.slug])


def _post(client, lab, token=None, **params):
    data = {"submission": str(token or uuid.uuid4()), "steps": "10", **params}
    return client.post(_url(lab), data)


def test_it_queues_a_run_and_opens_its_page(
    client, student, lab, published, django_capture_on_commit_callbacks
):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, lab)
    run = LabRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.status == "queued" and run.params["steps"] == 10 and run.user == student
    assert run.active_slot == 1 and run.dispatches == 1
    assert published.calls == [{"args": [run.pk, 1], "queue": "cpu"}]


def test_a_double_submit_makes_one_run(client, student, lab, published):
    client.force_login(student)
    token = uuid.uuid4()
    first = _post(client, lab, token)
    second = _post(client, lab, token)
    assert LabRun.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_third_active_run_is_refused_with_a_message(client, student, lab, published):
    client.force_login(student)
    _post(client, lab)
    _post(client, lab)
    response = _post(client, lab)
    assert response.status_code == 400
    assert "You already have two runs queued or running" in response.text
    assert LabRun.objects.count() == 2


def test_a_finished_run_frees_its_slot(client, student, lab, published):
    client.force_login(student)
    _post(client, lab)
    _post(client, lab)
    LabRun.objects.filter(active_slot=1).update(status="succeeded", active_slot=None)
    assert _post(client, lab).status_code == 302
    assert LabRun.objects.filter(active_slot__isnull=False).count() == 2


def test_an_out_of_range_parameter_is_refused_and_the_form_keeps_my_values(
    client, student, lab, published
):
    client.force_login(student)
    response = _post(client, lab, steps="999", lr="0.002")
    assert response.status_code == 400
    assert "steps must be at most 50 in this lab" in response.text
    assert 'value="0.002"' in response.text
    assert not LabRun.objects.exists() and not published.calls


def test_a_missing_form_token_is_a_clear_message(client, student, lab, published):
    client.force_login(student)
    response = client.post(_url(lab), {"steps": "10"})
    assert response.status_code == 400 and "press Run again" in response.text


def test_when_the_broker_is_down_the_run_is_kept_with_a_message(
    client, student, lab, published, django_capture_on_commit_callbacks
):
    published.fail_with = OperationalError("Error 111 connecting to 127.0.0.1:6379")
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, lab)
    run = LabRun.objects.get()
    assert response.status_code == 302 and run.status == "queued"
    assert "will be sent to a worker as soon as the queue is back" in run.dispatch_error
    page = client.get(run.get_absolute_url())
    assert "The lab queue is unreachable right now" in page.text


def test_it_refuses_an_unpublished_lab(client, student, lab, published):
    lab.published = False
    lab.save()
    client.force_login(student)
    assert _post(client, lab).status_code == 404
    assert not LabRun.objects.exists()


def test_it_requires_login(client, lab, published):
    assert _post(client, lab).status_code == 302
    assert not LabRun.objects.exists()


def test_it_requires_a_csrf_token(student, lab, published):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert _post(client, lab).status_code == 403


def test_it_refuses_get(client, student, lab):
    client.force_login(student)
    assert client.get(_url(lab)).status_code == 405
