"""Thin Celery tasks: take the run id, call one plain function.

Recovering runs whose worker died is not a task's job: `manage.py reap_lab_runs` runs
beside the workers (make run, the Procfile) and calls labs.services.reap_stale_runs."""

from celery import shared_task

from labs import runner


@shared_task(
    bind=True,
    name="labs.run_lab",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=21 * 60,
)
def run_lab(self, run_id: int, dispatch: int) -> str | None:
    return runner.execute_run(run_id, dispatch, worker=self.request.hostname or "")
