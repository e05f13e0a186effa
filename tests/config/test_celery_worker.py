"""A real Celery worker consumes the configured broker (filesystem by default, Redis in CI)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app, worker_healthcheck

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


def test_a_worker_runs_a_task_sent_to_its_queue(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "marker.txt"
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        worker_healthcheck.apply_async(args=[str(marker), "pong"], queue=queue)
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        assert marker.read_text() == "pong", (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


def test_the_broker_in_use_is_the_one_the_environment_names():
    expected = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
    assert expected == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
