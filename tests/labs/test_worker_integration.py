"""End to end with a real worker process and the real broker (filesystem by default,
Redis under `make test-services`): a small real experiment, a SIGKILLed worker, and
two simultaneous Run clicks."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from labs import services
from labs.models import LabRun
from tests.factories import make_course
from tests.labs.conftest import make_lab
from tests.labs.worker import Worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lab_on_own_queue(student_tx, fixture_class):
    lab = make_lab(fixture_class.add_course(make_course("integration")), limits={})
    lab.queue = f"test-{uuid.uuid4().hex[:8]}"  # isolates this test's messages on the broker
    lab.save()
    return lab


def _start(client, lab, **params) -> LabRun:
    data = {
        "submission": str(uuid.uuid4()),
        "steps": "2",
        "samples_per_prompt": "1",
        "max_new_tokens": "8",
        **params,
    }
    response = client.post(reverse("labs:run-start", args=[lab.course.slug, lab.slug]), data)
    assert response.status_code == 302, response.content[:500]
    return LabRun.objects.latest("created_at")


def _status(run) -> str:
    run.refresh_from_db()
    return run.status


def test_a_worker_runs_a_real_experiment_and_the_page_shows_its_finding(
    small_base_model, lab_on_own_queue, student_tx, tmp_path
):
    worker = Worker(tmp_path, small_base_model, queue=lab_on_own_queue.queue).start()
    try:
        client = Client()
        client.force_login(student_tx)
        run = _start(client, lab_on_own_queue)
        wait_for(lambda: _status(run) not in LabRun.ACTIVE, timeout=180, worker=worker)
    finally:
        worker.stop()
    assert run.status == "succeeded", run.error + worker.log()[-2000:]
    assert run.worker.startswith(lab_on_own_queue.queue) and run.device == "cpu"
    assert run.metrics and run.result["series"]
    page = client.get(run.get_absolute_url()).text
    assert "Finding:" in page and run.headline[:40] in page


def test_a_sigkilled_worker_leaves_no_run_running(
    small_base_model, lab_on_own_queue, student_tx, tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "HEARTBEAT_STALE_AFTER", timedelta(seconds=10))
    first = Worker(tmp_path, small_base_model, queue=lab_on_own_queue.queue).start()
    client = Client()
    client.force_login(student_tx)
    run = _start(client, lab_on_own_queue, steps="200", samples_per_prompt="2")
    try:
        wait_for(lambda: _status(run) == "running" and run.step > 0, timeout=120, worker=first)
    finally:
        first.kill()
    # Nobody is running it now; the reaper (manage.py reap_lab_runs beside the workers)
    # notices once the heartbeat is stale. Its passes run here, in the test's process.
    wait_for(lambda: services.reap_stale_runs() >= 0 and _status(run) != "running", timeout=60)
    assert run.status == "queued" and "stopped responding" in run.error and run.dispatches == 2

    second = Worker(tmp_path, small_base_model, queue=lab_on_own_queue.queue).start()
    try:
        LabRun.objects.filter(pk=run.pk).update(params={**run.params, "steps": 2})
        wait_for(lambda: _status(run) not in LabRun.ACTIVE, timeout=180, worker=second)
    finally:
        second.stop()
    assert run.status == "succeeded" and run.attempts == 2


def _click_run_at_once(lab, user, tokens: list[str]) -> list[int]:
    """POST the Run form once per token, all threads released together."""
    barrier = threading.Barrier(len(tokens))
    codes: list[int] = []
    url = reverse("labs:run-start", args=[lab.course.slug, lab.slug])

    def click(token: str) -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            codes.append(client.post(url, {"submission": token, "steps": "2"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_two_simultaneous_clicks_make_one_run(lab_on_own_queue, student_tx):
    token = str(uuid.uuid4())
    assert _click_run_at_once(lab_on_own_queue, student_tx, [token, token]) == [302, 302]
    assert LabRun.objects.filter(user=student_tx).count() == 1


def test_concurrent_runs_never_exceed_two_active(lab_on_own_queue, student_tx):
    tokens = [str(uuid.uuid4()) for _ in range(4)]
    assert sorted(_click_run_at_once(lab_on_own_queue, student_tx, tokens)) == [302, 302, 400, 400]
    assert LabRun.objects.filter(user=student_tx, active_slot__isnull=False).count() == 2
