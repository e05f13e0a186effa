"""The in-process benchmarks' set-up: Django on a scratch database (a fresh SQLite file
under a temporary directory, or the database named by BENCH_DATABASE_URL: use a scratch
one), migrated."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def scratch_django(prefix: str) -> str:
    """Set Django up on a scratch database and migrate it; returns the working directory."""
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["APP_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return workdir
