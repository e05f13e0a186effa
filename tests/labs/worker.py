"""Start a real Celery worker process on its own queue, against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


class Worker:
    def __init__(self, log_dir: Path, extra_env: dict[str, str], queue: str | None = None):
        self.queue = queue or f"test-{uuid.uuid4().hex[:8]}"
        self.log_path = log_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.extra_env = extra_env
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        env = {**os.environ, **self.extra_env, "DATABASE_URL": test_database_url()}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                self.queue,
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{self.queue}@%h",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no chance to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, timeout: float, worker: Worker | None = None, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker and worker.process and worker.process.poll() is not None:
            raise AssertionError(f"worker exited:\n{worker.log()[-3000:]}")
        time.sleep(every)
    raise AssertionError(
        f"timed out after {timeout} s" + (f"\n{worker.log()[-3000:]}" if worker else "")
    )
