"""Runs whose worker died, or that never reached the broker, are recovered."""

import uuid
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from labs.models import LabRun
from labs.services import reap_stale_runs


def _run(lab, user, **fields) -> LabRun:
    return LabRun.objects.create(
        lab=lab, user=user, submission=uuid.uuid4(), active_slot=1, params={}, **fields
    )


def test_a_silent_running_run_is_queued_again_once(lab, student, published):
    beat = timezone.now() - timedelta(seconds=45)
    run = _run(
        lab,
        student,
        status="running",
        dispatches=1,
        attempts=1,
        heartbeat_at=beat,
        step=7,
        total=20,
        metrics={"loss": [[1, 2.0]]},
    )
    assert reap_stale_runs() == 1
    run.refresh_from_db()
    assert run.status == "queued" and run.dispatches == 2 and run.metrics == {}
    assert "stopped responding at step 7 of 20. It was queued again." in run.error
    assert published.calls == [{"args": [run.pk, 2], "queue": "cpu"}]


def test_a_run_whose_worker_died_again_is_failed_with_the_reason(lab, student, published):
    beat = timezone.now() - timedelta(seconds=45)
    run = _run(lab, student, status="running", dispatches=2, attempts=2, heartbeat_at=beat)
    reap_stale_runs()
    run.refresh_from_db()
    assert run.status == "failed" and run.active_slot is None
    assert "already been restarted once" in run.error
    assert not published.calls


def test_a_run_with_a_fresh_heartbeat_is_left_alone(lab, student, published):
    run = _run(
        lab,
        student,
        status="running",
        dispatches=1,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=5),
    )
    assert reap_stale_runs() == 0
    run.refresh_from_db()
    assert run.status == "running"


def test_a_silent_run_that_was_being_cancelled_ends_cancelled(lab, student, published):
    run = _run(
        lab,
        student,
        status="running",
        dispatches=1,
        attempts=1,
        cancel_requested=True,
        heartbeat_at=timezone.now() - timedelta(minutes=2),
    )
    reap_stale_runs()
    run.refresh_from_db()
    assert run.status == "cancelled" and not published.calls


def test_a_run_the_broker_refused_is_sent_again(lab, student, published):
    run = _run(lab, student, dispatches=1, dispatch_error="The lab queue is unreachable")
    assert reap_stale_runs() == 1
    run.refresh_from_db()
    assert run.dispatch_error == "" and run.dispatches == 2
    assert published.calls == [{"args": [run.pk, 2], "queue": "cpu"}]


def test_the_run_page_never_sends_anything_to_the_broker(client, student, lab, published):
    run = _run(
        lab,
        student,
        status="running",
        dispatches=1,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=40),
    )
    client.force_login(student)
    page = client.get(run.get_absolute_url())
    poll = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    client.get(lab.get_absolute_url())
    run.refresh_from_db()
    assert run.status == "running" and run.dispatches == 1 and not published.calls
    assert "has not reported" in page.text and "has not reported" in poll.text


def test_the_reaper_command_recovers_dead_runs_in_one_pass(lab, student, published):
    run = _run(
        lab,
        student,
        status="running",
        dispatches=1,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(minutes=5),
    )
    out = StringIO()
    call_command("reap_lab_runs", "--once", stdout=out)
    run.refresh_from_db()
    assert run.status == "queued" and run.dispatches == 2
    assert "1 run(s) recovered" in out.getvalue()
