"""Settings come from the environment, strictly; production mode refuses unsafe values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_defaults_start_in_development_mode():
    assert _check().returncode == 0


def test_production_mode_refuses_the_development_secret_key():
    result = _check(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is unset, the development key" in result.stderr


def test_production_mode_starts_with_a_real_secret_key():
    assert _check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50).returncode == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a boolean"),
        ("DATABASE_CONN_MAX_AGE", "soon", "DATABASE_CONN_MAX_AGE='soon' is not an integer"),
    ],
)
def test_a_value_that_does_not_parse_is_refused_by_name(name, value, message):
    extra = {"DATABASE_URL": "postgres://u@127.0.0.1:1/x"} if name.startswith("DATABASE") else {}
    result = _check(**{name: value}, **extra)
    assert result.returncode != 0 and message in result.stderr
