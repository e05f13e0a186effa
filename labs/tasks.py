"""Thin Celery tasks: take the run id, call one plain function.

Recovering runs whose worker died is not a task's job: `manage.py reap_lab_runs` runs
beside the workers (make run, the Procfile) and calls labs.services.reap_stale_runs."""

from celery import shared_task
from django.conf import settings

from labs import runner

SHARED_QUEUES = ("cpu", "gpu")


def worker_queue(lab_queue: str) -> str:
    """The queue a run of a lab on ``lab_queue`` goes to: ``gpu`` where a GPU worker serves
    it (``settings.LABS_GPU_QUEUE_ENABLED``), else ``cpu``, whichever of the two the lab
    names, so no run waits for a worker the site does not have. Any other queue name (an
    operator's or a test's own) is kept."""
    if lab_queue not in SHARED_QUEUES:
        return lab_queue
    return "gpu" if settings.LABS_GPU_QUEUE_ENABLED else "cpu"


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
