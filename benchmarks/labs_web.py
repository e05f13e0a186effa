"""Benchmark the lab pages with a warm worker: Run POST -> first metric on the status
endpoint (target < 2 s), and the status endpoint's requests/s under 50 polling clients.

    .venv/bin/python benchmarks/labs_web.py [--broker redis://127.0.0.1:6379/0] [--clients 50]
    .venv/bin/python benchmarks/labs_web.py --quick   # seconds, no server: what CI runs

It builds a scratch SQLite database under a temporary directory, starts gunicorn and one
Celery worker (on the broker given; Redis by default, as in production), waits until the
worker is warm, then measures through HTTP like a browser does. Uses the small base model
under var/test-models (built on first use).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import statistics
import subprocess  # nosec B404  # fixed argument lists, never a shell
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PORT = 8765


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes on the embedded filesystem broker (no Redis): proves it still runs",
    )
    args = parser.parse_args()
    if args.quick:
        args.broker, args.clients, args.seconds, args.runs = "", 3, 1.0, 1

    workdir = Path(tempfile.mkdtemp(prefix="bench-labs-"))
    env = {
        **os.environ,
        "APP_VAR_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "LABS_MODEL_DIR": str(ROOT / "var" / "test-models"),
        "LABS_BASE_PRESET": "small",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if args.broker:
        env["CELERY_BROKER_URL"] = args.broker
    else:
        env.pop("CELERY_BROKER_URL", None)  # the embedded filesystem broker under APP_VAR_DIR
    os.environ.update(env)
    import django

    django.setup()
    password, run_url_path, queue = _prepare()
    processes = [
        subprocess.Popen(  # nosec B603  # a fixed gunicorn command line
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{PORT}",
                "-w",
                "3",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
        subprocess.Popen(  # nosec B603  # a fixed celery worker command line
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
    ]
    try:
        _wait_for_server()
        session = _login(password)
        _time_to_first_metric(session, run_url_path, runs=1, label="warm-up (worker imports)")
        _time_to_first_metric(session, run_url_path, runs=args.runs, label="warm worker")
        running = _start_long_run(session, run_url_path)
        _polling_throughput(password, args.clients, args.seconds, running)
    finally:
        _stop(processes)


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group; whatever is left after 15 s (a worker's warm shutdown
    waits for its running task) is killed, so the benchmark leaves nothing behind."""
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _prepare() -> tuple[str, str, str]:
    from django.core.management import call_command

    from course.roles import STUDENT, sync_role_groups
    from labs.models import Lab
    from tests.factories import enroll, make_course
    from workers.base_model import build_base_model

    call_command("migrate", verbosity=0)
    build_base_model()
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(24)  # a scratch account: a fresh password each run
    user = get_user_model().objects.create_user("bench", password=password)
    user.groups.add(sync_role_groups()[STUDENT])
    course = make_course("bench-course")
    enroll(user, course)  # students see a course through a class of it
    queue = "bench"
    Lab.objects.create(
        course=course,
        slug="sft",
        title="SFT",
        experiment="sft",
        queue=queue,
        lesson=course.lessons.first(),
    )
    return password, "/courses/bench-course/labs/sft/", queue


class Session:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str, htmx: bool = False) -> tuple[int, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
        if htmx:
            request.add_header("HX-Request", "true")
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=body)
        request.add_header("Referer", f"http://127.0.0.1:{PORT}{path}")
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()


def _wait_for_server() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=2)  # nosec B310
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def _login(password: str) -> Session:
    session = Session()
    session.get("/accounts/login/")
    session.post("/accounts/login/", {"username": "bench", "password": password})
    return session


def _time_to_first_metric(session: Session, lab_path: str, runs: int, label: str) -> None:
    timings = []
    for _ in range(runs):
        _, page = session.get(lab_path)
        token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
        started = time.perf_counter()
        _, run_url, _ = session.post(
            f"{lab_path}run/",
            {"submission": token, "steps": "8", "samples_per_prompt": "1", "max_new_tokens": "8"},
        )
        path = urllib.parse.urlsplit(run_url).path
        while True:
            status, body = session.get(path, htmx=True)
            if "Latest values" in body:
                timings.append(time.perf_counter() - started)
                break
            if time.perf_counter() - started > 120:
                raise SystemExit(f"no metric after 120 s: {body[:500]}")
            time.sleep(0.05)
        while status != 286:  # let the run finish before the next one
            time.sleep(0.2)
            status, body = session.get(path, htmx=True)
    print(
        f"Run POST -> first metric on the status endpoint, {label}, {runs} run(s): "
        f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s"
        + ("  (target < 2 s)" if runs > 1 else "")
    )


def _start_long_run(session: Session, lab_path: str) -> str:
    _, page = session.get(lab_path)
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    _, run_url, _ = session.post(f"{lab_path}run/", {"submission": token, "steps": "400"})
    path = urllib.parse.urlsplit(run_url).path
    while "Step " not in session.get(path, htmx=True)[1]:
        time.sleep(0.1)
    return path


def _polling_throughput(password: str, clients: int, seconds: float, path: str) -> None:
    sessions = [_login(password) for _ in range(clients)]
    counts = [0] * clients
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def poll(index: int) -> None:
        while time.perf_counter() < stop:
            status, _ = sessions[index].get(path, htmx=True)
            if status in (200, 286):
                counts[index] += 1
            else:
                errors[index] += 1

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(
        f"status endpoint of a running run, {clients} clients polling: "
        f"{sum(counts) / elapsed:.0f} requests/s "
        f"over {elapsed:.1f} s, {sum(errors)} errors (gunicorn 3 processes x 4 threads, "
        "clients on the same 2-core machine)"
    )


if __name__ == "__main__":
    main()
