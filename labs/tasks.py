"""Thin Celery tasks: take the run id, call one plain function."""

import logging
import threading
import time

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.db import close_old_connections

from labs import runner, services

log = logging.getLogger(__name__)


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


REAP_EVERY_SECONDS = 15


@worker_ready.connect
def _recover_runs(**_kwargs) -> None:
    """A worker recovers runs a dead worker left behind: once at start, then every 15 s in a
    background thread, so a run whose worker was killed is requeued or failed within a
    minute even if nobody is watching it. Several workers doing this is safe: every change
    is a conditional update."""
    try:
        services.reap_stale_runs()
    except Exception:  # e.g. a database not migrated yet: the periodic reaper retries
        log.exception("reaping stale lab runs at worker start failed")
    threading.Thread(target=_reap_forever, name="lab-run-reaper", daemon=True).start()


def _reap_forever() -> None:
    while True:
        time.sleep(REAP_EVERY_SECONDS)
        try:
            close_old_connections()
            services.reap_stale_runs()
        except Exception:  # a database hiccup must not stop the reaper
            log.exception("reaping stale lab runs failed")
