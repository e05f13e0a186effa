"""The Celery app, in the shape of Celery's Django example.

Settings come from Django settings under the CELERY_ namespace. The default broker is
kombu's filesystem transport under var/broker, which needs no server; set
CELERY_BROKER_URL=redis://... to use Redis.
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init

import workers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _preload_engine(**_kwargs) -> None:
    """Import torch once per worker process (one thread) so a run's first progress is fast.
    (Importing `workers` itself is cheap: the web process never loads torch.)"""
    workers.preload()


@app.task(name="config.worker_healthcheck")
def worker_healthcheck(marker_path: str, token: str) -> None:
    """Prove a worker consumes the queue: write `token` to `marker_path`."""
    Path(marker_path).write_text(token)
