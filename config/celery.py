"""The Celery app, in the shape of Celery's Django example.

Settings come from Django settings under the CELERY_ namespace. The default broker is
kombu's filesystem transport under var/broker, which needs no server; set
CELERY_BROKER_URL=redis://... to use Redis.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the filesystem broker's folders; a no-op for other brokers."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@app.task(name="config.worker_healthcheck")
def worker_healthcheck(marker_path: str, token: str) -> None:
    """Prove a worker consumes the queue: write `token` to `marker_path`."""
    Path(marker_path).write_text(token)
