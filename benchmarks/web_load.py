"""Load benchmark of the student pages: gunicorn with production settings on loopback,
driven by locust (headless) with simulated students.

    .venv/bin/python benchmarks/web_load.py                  # SQLite, 20 then 100 students
    .venv/bin/python benchmarks/web_load.py --database-url postgres://u:p@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/web_load.py --quick          # seconds: what CI runs

Four phases on one gunicorn (default 2 processes x 4 threads, DEBUG off, HTTPS as behind
a proxy: X-Forwarded-Proto with DJANGO_TRUSTED_PROXIES=1):

1. `/healthz/` alone (one SELECT 1: the bare Django view), --clients users, no think time;
2. a lesson page alone, the same way; the ratio of its requests/s to the bare view's.
   The clients keep the cookies the site sets, as browsers do, so after its first view
   each one is served the copy kept for its browser (course/page_cache.py);
3. the same lesson page rendered every time (a query string: never a kept copy), the cost
   of a first view or of one after a write, and its ratio;
4. --students simulated students with a think time between requests, each reading a
   lesson page, rating a flashcard, autosaving a quiz answer and polling a running lab
   (a rating or an autosave renews the browser's generation, so the next lesson page is
   rendered again).

It prints requests/s, p50 and p95 per endpoint. Every phase is bounded in time
(--seconds) and in requests per simulated student, and only 127.0.0.1 is contacted. The
database is a scratch one: SQLite under a temporary directory, or with --database-url a
scratch schema (dropped afterwards) in the database given; never use CI's `test` one.
The client runs on the same machine as the server, so it takes CPU from it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess  # nosec B404  # fixed argument lists, never a shell
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
PORT = 8767
LOCUSTFILE = ROOT / "benchmarks" / "web_load_students.py"
BUNDLE = ROOT / "content" / "alignment-training"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL on 127.0.0.1 (scratch)")
    parser.add_argument(
        "--cache-url",
        default="",
        help="a scratch Redis database on 127.0.0.1 as the shared cache (production's set-up:"
        " sessions and the Review badge are then read from it), e.g. redis://127.0.0.1:6379/15",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--clients", type=int, default=20, help="users in phases 1 and 2")
    parser.add_argument("--students", type=int, default=100, help="simulated students, phase 3")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between requests")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=5000, help="per simulated user")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the course bundle to load")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.students, args.seconds, args.max_requests = 3, 5, 2.0, 200
    if args.database_url and "127.0.0.1" not in args.database_url:
        raise SystemExit("--database-url must point at 127.0.0.1")
    if args.cache_url and "127.0.0.1" not in args.cache_url:
        raise SystemExit("--cache-url must point at 127.0.0.1")

    workdir = Path(tempfile.mkdtemp(prefix="bench-web-load-"))
    schema = f"bench_web_load_{os.getpid()}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "APP_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_TRUSTED_PROXIES": "1",
        "CELERY_BROKER_URL": "memory://",  # nothing is published: the lab run is a row
        "LOG_LEVEL": "WARNING",
    }
    if args.cache_url:
        env["DJANGO_CACHE_URL"] = args.cache_url
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        env["PGOPTIONS"] = f"-c search_path={schema}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.update(env)
    if args.database_url:
        _create_schema(args.database_url, schema)
    server = None
    try:
        import django

        django.setup()
        fixtures = _prepare(max(args.clients, args.students), args.bundle)
        fixtures_path = workdir / "fixtures.json"
        fixtures_path.write_text(json.dumps(fixtures))
        server = _start_gunicorn(env, args.workers, args.threads)
        _wait_for_server()
        print(
            f"gunicorn {args.workers} processes x {args.threads} threads, DEBUG off, "
            f"{'PostgreSQL' if args.database_url else 'SQLite'}, "
            f"{'Redis' if args.cache_url else 'per-process'} cache; lesson "
            f"'{fixtures['lesson_title']}' ({fixtures['lesson_chars']:,} characters of Markdown)"
        )
        common = {"fixtures": fixtures_path, "workdir": workdir, "args": args, "env": env}
        bare = _phase("healthz", args.clients, think=0.0, **common)
        lesson = _phase("lesson", args.clients, think=0.0, **common)
        rendered = _phase("lesson-rendered", args.clients, think=0.0, **common)
        bare_rps = bare["bare view /healthz/"]["rps"]
        ratio = lesson["lesson page"]["rps"] / bare_rps
        print(
            f"ratio: lesson page / bare view requests/s = {ratio:.2f} "
            f"at {args.clients} clients (target >= 0.25)"
        )
        ratio = rendered["lesson page, rendered"]["rps"] / bare_rps
        print(f"ratio: lesson page rendered every time / bare view requests/s = {ratio:.2f}")
        students = _phase("students", args.students, think=args.think, **common)
        worst = max(row["p95"] for name, row in students.items() if name != "Aggregated")
        print(f"students: worst p95 {worst:.0f} ms at {args.students} students (target < 100 ms)")
    finally:
        if server is not None:
            _stop(server)
        if args.database_url:
            with contextlib.suppress(Exception):
                _drop_schema(args.database_url, schema)
        if args.cache_url:  # the scratch Redis database: its sessions and counts go too
            with contextlib.suppress(Exception):
                from django.core.cache import cache

                cache.clear()
        shutil.rmtree(workdir, ignore_errors=True)


def _create_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _prepare(count: int, bundle: Path = BUNDLE) -> dict:
    """The real course, a class of `count` students, each with a quiz attempt in progress
    and a running lab run, and a logged-in session (no password hashing in the loop)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from course.models import Course
    from course.roles import STUDENT, sync_role_groups
    from labs.models import Lab, LabRun
    from quizzes import services as quiz_services
    from quizzes.models import Question, QuestionKind, Quiz
    from tests.factories import enroll

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production's manifest
    call_command("load_course", str(bundle), verbosity=0)
    course = Course.objects.get(slug="alignment-training")
    lessons = list(course.lessons.filter(archived=False, published=True))
    lesson = max(lessons, key=lambda row: len(row.body_markdown))
    card = lesson.flashcards.filter(archived=False).first() or course.flashcards.first()
    text_kinds = [QuestionKind.SHORT, QuestionKind.ESSAY]
    question = (
        Question.objects.filter(quiz__course=course, kind__in=text_kinds, archived=False)
        .select_related("quiz")
        .first()
    )
    quiz: Quiz = question.quiz
    lab = Lab.objects.filter(course=course).first()
    group = sync_role_groups()[STUDENT]
    now = timezone.now()
    students = []
    for index in range(count):
        user = get_user_model().objects.create_user(f"student-{index}", password=None)
        user.groups.add(group)
        enrollment = enroll(user, course)
        attempt = quiz_services.attempt_start(user=user, quiz=quiz)
        run = LabRun.objects.create(
            lab=lab,
            user=user,
            submission=uuid.uuid4(),
            active_slot=1,
            queue="cpu",
            course_class=enrollment.course_class,
            status=LabRun.Status.RUNNING,
            step=40,
            total=400,
            metrics={"loss": [[step, 3.0 - step / 100] for step in range(0, 41, 4)]},
            started_at=now,
            first_progress_at=now,
            heartbeat_at=now + timezone.timedelta(days=1),  # never stalled during the run
        )
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        students.append(
            {
                "session": client.cookies["sessionid"].value,
                "autosave": f"/attempts/{attempt.pk}/autosave/",
                "run": f"/labs/runs/{run.pk}/",
            }
        )
    return {
        "host": f"http://{HOST}:{PORT}",
        "lesson": lesson.get_absolute_url(),
        "lesson_title": lesson.title,
        "lesson_chars": len(lesson.body_markdown),
        "rate": f"/courses/{course.slug}/cards/{card.key}/rate/",
        "question": question.pk,
        "students": students,
    }


def _start_gunicorn(env: dict, workers: int, threads: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"{HOST}:{PORT}"]
    command += ["-w", str(workers), "--threads", str(threads), "--log-level", "warning"]
    # a fixed gunicorn command line, no shell
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # nosec B603


def _wait_for_server() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz/", timeout=2)  # nosec B310  # http://127.0.0.1
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


def _phase(
    scenario: str, users: int, *, think: float, fixtures: Path, workdir: Path, args, env: dict
) -> dict[str, dict]:
    """One headless locust run; returns {endpoint: {requests, failures, rps, p50, p95}}."""
    prefix = workdir / scenario
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["-u", str(users), "-r", str(max(users, 10)), "-t", f"{args.seconds:g}s"]
    command += ["--host", f"http://{HOST}:{PORT}", "--csv", str(prefix), "--reset-stats"]
    command += ["--only-summary", "--stop-timeout", "5", "--exit-code-on-error", "0"]
    locust_env = {
        **env,
        "WEB_LOAD_FIXTURES": str(fixtures),
        "WEB_LOAD_SCENARIO": scenario,
        "WEB_LOAD_THINK": str(think),
        "WEB_LOAD_MAX_REQUESTS": str(args.max_requests),
    }
    log = workdir / f"{scenario}.log"
    with log.open("w") as out:
        result = subprocess.run(  # nosec B603  # a fixed locust command line
            command,
            cwd=ROOT,
            env=locust_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=args.seconds + 120,
        )
    if result.returncode != 0:
        raise SystemExit(f"locust failed ({result.returncode}):\n{log.read_text()[-3000:]}")
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
            }
    label = {
        "healthz": "bare view",
        "lesson": "lesson page",
        "lesson-rendered": "lesson page rendered every time",
        "students": "students",
    }[scenario]
    print(f"\n{label}: {users} users, think time {think:g} s, {args.seconds:g} s")
    for name, row in rows.items():
        print(
            f"  {name:<22} {row['rps']:8.1f} requests/s  p50 {row['p50']:5.0f} ms  "
            f"p95 {row['p95']:5.0f} ms  ({row['requests']} requests, {row['failures']} failed)"
        )
    failed = sum(row["failures"] for name, row in rows.items() if name != "Aggregated")
    if failed:
        failures = Path(f"{prefix}_failures.csv")
        print(failures.read_text()[:2000] if failures.exists() else "")
    return rows


if __name__ == "__main__":
    main()
