"""A real Celery worker consumes the configured broker (filesystem by default, Redis in CI)."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app, worker_healthcheck
from tests.labs.worker import Worker, wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


def test_a_worker_runs_a_task_sent_to_its_queue(tmp_path, transactional_db):
    worker = Worker(tmp_path, {}).start()
    marker = tmp_path / "marker.txt"
    try:
        worker_healthcheck.apply_async(args=[str(marker), "pong"], queue=worker.queue)
        wait_for(marker.exists, timeout=60, worker=worker)
    finally:
        worker.stop()
    assert marker.read_text() == "pong"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert "lab-run-reaper" not in worker.log() and "Traceback" not in worker.log()


def test_the_broker_in_use_is_the_one_the_environment_names():
    expected = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
    assert expected == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
