"""The plain function behind the task: status, throttled progress, cancel, failures."""

import uuid

from labs.models import LabRun
from labs.runner import RunReporter, execute_run
from workers import LabInputError


def _queued(lab, user, dispatches=1, **extra) -> LabRun:
    return LabRun.objects.create(
        lab=lab,
        user=user,
        submission=uuid.uuid4(),
        active_slot=1,
        params={"steps": 3},
        dispatches=dispatches,
        **extra,
    )


def _engine(steps=3, result=None, fail=None):
    def engine(name, params, report):
        for step in range(1, steps + 1):
            report(step, steps, {"loss": 1.0 / step}, [{"prompt": f"p{step}", "response": "r"}])
        if fail:
            raise fail
        return result or {"headline": f"{name} done", "series": {}, "tables": [], "samples": []}

    return engine


def test_a_run_succeeds_with_its_result_metrics_and_samples(lab, student):
    run = _queued(lab, student)
    assert execute_run(run.pk, 1, worker="w1@host", engine=_engine(), throttle=0) == "succeeded"
    run.refresh_from_db()
    assert run.status == "succeeded" and run.headline == "sft done"
    assert run.metrics == {"loss": [[1, 1.0], [2, 0.5], [3, 1 / 3]]}
    assert [s["prompt"] for s in run.samples] == ["p1", "p2", "p3"]
    assert run.step == 3 and run.total == 3 and run.active_slot is None
    assert run.worker == "w1@host" and run.device and run.attempts == 1
    assert run.started_at and run.finished_at and run.first_progress_at


def test_progress_writes_are_throttled_but_no_point_is_lost(lab, student):
    run = _queued(lab, student)
    LabRun.objects.filter(pk=run.pk).update(status="running")
    ticks = iter(range(10_000))
    reporter = RunReporter(run.pk, 1, throttle=100, clock=lambda: next(ticks))
    for step in range(1000):
        reporter(step, 1000, {"loss": step}, [])
    assert reporter.writes == 10  # at clock 0, 100, 200, ...
    reporter.flush()
    run.refresh_from_db()
    assert len(run.metrics["loss"]) == 1000


def test_a_cancel_request_stops_the_run_and_keeps_what_it_made(lab, student):
    run = _queued(lab, student)

    def engine(name, params, report):
        report(1, 10, {"loss": 2.0}, [])
        LabRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        for step in range(2, 11):
            report(step, 10, {"loss": 1.0}, [])
        return {"headline": "should not finish"}

    assert execute_run(run.pk, 1, engine=engine, throttle=0) == "cancelled"
    run.refresh_from_db()
    assert run.status == "cancelled" and run.metrics["loss"][0] == [1, 2.0]
    assert run.active_slot is None and run.headline == "Cancelled."


def test_bad_input_fails_the_run_with_the_engines_message(lab, student):
    run = _queued(lab, student)
    error = LabInputError("LABS_BASE_MODEL=/x is not a causal language model")
    assert execute_run(run.pk, 1, engine=_engine(fail=error), throttle=0) == "failed"
    run.refresh_from_db()
    assert run.error == "LABS_BASE_MODEL=/x is not a causal language model"
    assert run.metrics["loss"]  # what it produced before failing is kept


def test_a_crash_fails_the_run_with_a_one_line_reason(lab, student):
    run = _queued(lab, student)
    execute_run(
        run.pk, 1, engine=_engine(fail=RuntimeError("CUDA out of memory\ndetails")), throttle=0
    )
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "The run stopped with an error: RuntimeError: CUDA out of memory"


def test_a_stale_message_for_an_older_dispatch_is_ignored(lab, student):
    run = _queued(lab, student, dispatches=2)
    assert execute_run(run.pk, 1, engine=_engine(), throttle=0) is None
    run.refresh_from_db()
    assert run.status == "queued" and run.attempts == 0


def test_a_cancelled_run_is_never_started(lab, student):
    run = _queued(lab, student, status="cancelled", cancel_requested=True)
    assert execute_run(run.pk, 1, engine=_engine(), throttle=0) is None


def test_a_run_handed_to_another_worker_stops_writing(lab, student):
    run = _queued(lab, student)

    def engine(name, params, report):
        report(1, 5, {"loss": 1.0}, [])
        LabRun.objects.filter(pk=run.pk).update(dispatches=2, status="queued")
        report(2, 5, {"loss": 0.5}, [])
        return {"headline": "late"}

    assert execute_run(run.pk, 1, engine=engine, throttle=0) == "cancelled"
    run.refresh_from_db()
    assert run.status == "queued" and run.headline == ""  # the new dispatch owns the row


def test_a_run_redelivered_after_its_worker_died_twice_fails(lab, student):
    run = _queued(lab, student, status="running", attempts=2)
    assert execute_run(run.pk, 1, engine=_engine(), throttle=0) is None
    run.refresh_from_db()
    assert run.status == "failed" and "died twice" in run.error and run.active_slot is None
