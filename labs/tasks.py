"""Thin Celery tasks: take the run id, call one plain function."""

from celery import shared_task
from celery.signals import worker_process_init, worker_ready

from labs import runner, services


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


@worker_process_init.connect
def _preload_engine(**_kwargs) -> None:
    """Import torch once per worker process (one thread) so a run's first progress is fast."""
    import workers

    workers.preload()


@worker_ready.connect
def _recover_runs(**_kwargs) -> None:
    """A worker that starts recovers runs a dead worker left behind."""
    services.reap_stale_runs()
