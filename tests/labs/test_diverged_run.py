"""A run whose training diverged: failed with the engine's one-line reason (the step and
what went NaN), its progress kept, shown on its run page without a traceback."""

import uuid

from labs.models import LabRun
from labs.runner import execute_run
from workers.runtime import NonFinite, TrainingDiverged


def _queued(lab, user) -> LabRun:
    return LabRun.objects.create(
        lab=lab,
        user=user,
        submission=uuid.uuid4(),
        active_slot=1,
        params={"steps": 40},
        dispatches=1,
    )


def _diverging_engine(error):
    def engine(name, params, report):
        for step in range(1, 37):
            report(step, 40, {"kl": 0.1 * step}, [])
        raise error

    return engine


def test_a_diverged_run_fails_with_the_step_and_keeps_its_progress(lab, student):
    run = _queued(lab, student)
    error = TrainingDiverged(37, "the policy's gradient norm is nan")
    assert execute_run(run.pk, 1, engine=_diverging_engine(error), throttle=0) == "failed"
    run.refresh_from_db()
    assert run.error == "Training diverged at step 37: the policy's gradient norm is nan."
    assert run.step == 36 and len(run.metrics["kl"]) == 36
    assert run.active_slot is None


def test_a_non_finite_value_outside_a_step_reads_as_one_line_too(lab, student):
    run = _queued(lab, student)
    error = NonFinite("a sampling logit of the model", "inf")
    execute_run(run.pk, 1, engine=_diverging_engine(error), throttle=0)
    run.refresh_from_db()
    assert run.error == "Training diverged: a sampling logit of the model is inf."


def test_the_run_page_shows_the_reason_and_no_traceback(client, student, lab):
    run = _queued(lab, student)
    error = TrainingDiverged(37, "the policy's gradient norm is nan")
    execute_run(run.pk, 1, engine=_diverging_engine(error), throttle=0)
    client.force_login(student)
    page = client.get(run.get_absolute_url()).text
    assert "Training diverged at step 37: the policy&#x27;s gradient norm is nan." in page
    assert "Traceback" not in page and "TrainingDiverged" not in page


def test_another_student_cannot_read_a_diverged_run(client, student, other_student, lab):
    run = _queued(lab, student)
    execute_run(run.pk, 1, engine=_diverging_engine(TrainingDiverged(2, "x is nan")), throttle=0)
    client.force_login(other_student)
    assert client.get(run.get_absolute_url()).status_code == 404


def test_the_worker_runs_the_next_run_after_a_diverged_one(lab, student):
    first = _queued(lab, student)
    execute_run(first.pk, 1, engine=_diverging_engine(TrainingDiverged(3, "x is nan")), throttle=0)
    second = _queued(lab, student)  # the diverged run gave its slot back

    def engine(name, params, report):
        report(1, 1, {"kl": 0.0}, [])
        return {"headline": "fine", "series": {}, "tables": [], "samples": []}

    assert execute_run(second.pk, 1, engine=engine, throttle=0) == "succeeded"
