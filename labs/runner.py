"""Runs one LabRun in a worker process: the plain function behind the thin Celery task.

The engine (workers/) knows nothing of Django; this module gives it a `report` callback
that writes progress, a heartbeat and new metric points to the row (at most every
`throttle` seconds) and raises `Cancelled` when a cancel was asked for, or when the run
was handed to another worker meanwhile.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import close_old_connections, connection
from django.db.models import F
from django.utils import timezone

from labs.models import LabRun
from workers import Cancelled, run_experiment
from workers.runtime import LabError, device

log = logging.getLogger(__name__)

MAX_SAMPLES = 60
HEARTBEAT_EVERY = 5.0


class RunReporter:
    """The engine's `report(step, total, metrics, samples)` for one run."""

    def __init__(self, run_id: int, dispatch: int, *, throttle: float = 0.5, clock=time.monotonic):
        self.run_id, self.dispatch, self.throttle, self.clock = run_id, dispatch, throttle, clock
        self.metrics: dict[str, list[list[float]]] = {}
        self.samples: list[dict[str, Any]] = []
        self.step = 0
        self.total = 0
        self.last_write = float("-inf")
        self.writes = 0
        self.first_progress_written = False

    def __call__(self, step: int, total: int, metrics: dict[str, float], samples: list) -> None:
        self.step, self.total = step, total
        for name, value in metrics.items():
            self.metrics.setdefault(name, []).append([step, value])
        if samples:
            self.samples = (self.samples + list(samples))[-MAX_SAMPLES:]
        if self.clock() - self.last_write >= self.throttle:
            self.flush()

    def flush(self) -> None:
        now = timezone.now()
        fields = {
            "step": self.step,
            "total": self.total,
            "metrics": self.metrics,
            "samples": self.samples,
            "heartbeat_at": now,
        }
        if not self.first_progress_written:
            fields["first_progress_at"] = now
        changed = _mine(self.run_id, self.dispatch).filter(cancel_requested=False).update(**fields)
        self.last_write = self.clock()
        self.writes += 1
        if not changed:
            raise Cancelled("cancel requested, or the run was handed to another worker")
        self.first_progress_written = True


def _mine(run_id: int, dispatch: int):
    return LabRun.objects.filter(pk=run_id, dispatches=dispatch, status=LabRun.Status.RUNNING)


def claim(run_id: int, dispatch: int, worker: str) -> LabRun | None:
    """Mark the run running for this dispatch; None if it is not ours to run (stale
    message, cancelled, finished) or it has used up its attempts."""
    now = timezone.now()
    changed = LabRun.objects.filter(
        pk=run_id, dispatches=dispatch, status__in=LabRun.ACTIVE, cancel_requested=False
    ).update(
        status=LabRun.Status.RUNNING,
        attempts=F("attempts") + 1,
        worker=worker,
        started_at=now,
        heartbeat_at=now,
    )
    if not changed:
        return None
    run = LabRun.objects.select_related("lab").get(pk=run_id)
    if run.attempts > LabRun.MAX_ATTEMPTS:
        _finish(
            run_id,
            dispatch,
            status=LabRun.Status.FAILED,
            error="The run's worker died twice while running it, so it was stopped.",
        )
        return None
    return run


def _finish(run_id: int, dispatch: int, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    LabRun.objects.filter(pk=run_id, dispatches=dispatch, status__in=LabRun.ACTIVE).update(
        active_slot=None, **fields
    )


def execute_run(
    run_id: int,
    dispatch: int,
    *,
    worker: str = "",
    engine: Callable = run_experiment,
    throttle: float = 0.5,
) -> str | None:
    """Run the experiment for `run_id`; return the final status (None if not ours)."""
    run = claim(run_id, dispatch, worker)
    if run is None:
        return None
    LabRun.objects.filter(pk=run_id).update(device=device())
    reporter = RunReporter(run_id, dispatch, throttle=throttle)
    beat = _Heartbeat(run_id, dispatch)
    beat.start()
    folder = tempfile.TemporaryDirectory(prefix=f"labrun-{run_id}-")
    try:
        params = _materialise_inline_files(run.params, Path(folder.name))
        result = engine(run.lab.experiment, params, reporter)
    except Cancelled:
        status, fields = LabRun.Status.CANCELLED, {"headline": "Cancelled."}
    except LabError as error:  # bad input, or training that diverged: one line for a person
        status, fields = LabRun.Status.FAILED, {"error": str(error)}
    except SoftTimeLimitExceeded:
        status = LabRun.Status.FAILED
        fields = {"error": "The run went past its time limit and was stopped."}
    except Exception as error:  # the run fails; the worker and other runs go on
        log.exception("lab run %s failed", run_id)
        message = str(error).splitlines()[0] if str(error) else ""
        status = LabRun.Status.FAILED
        fields = {"error": f"The run stopped with an error: {type(error).__name__}: {message}"}
    else:
        status = LabRun.Status.SUCCEEDED
        fields = {"result": result, "headline": result.get("headline", "")}
    finally:
        beat.stop()
        folder.cleanup()
    _finish(
        run_id,
        dispatch,
        status=status,
        step=reporter.step,
        total=reporter.total,
        metrics=reporter.metrics,
        samples=reporter.samples,
        **fields,
    )
    return status


def _materialise_inline_files(params: dict, folder: Path) -> dict:
    """Runs may carry small datasets inline (`inline_files: {param: [rows]}`), so a worker
    on any machine can run them: write each as JSONL and pass the engine its path."""
    params = dict(params)
    for name, rows in (params.pop("inline_files", None) or {}).items():
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        params[name] = str(path)
    return params


class _Heartbeat(threading.Thread):
    """Beats every few seconds while the engine works, even through a long step, so only a
    dead worker goes silent."""

    def __init__(self, run_id: int, dispatch: int):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.run_id, self.dispatch = run_id, dispatch
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY):
                close_old_connections()
                _mine(self.run_id, self.dispatch).update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)
