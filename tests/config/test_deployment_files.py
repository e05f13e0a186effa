"""docker-compose.yml and the Dockerfile: valid against the Compose specification, and
the services, queues, health checks and volumes the deployment needs."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_the_compose_file_is_valid_against_the_compose_specification():
    validator = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(validator), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_process_of_the_deployment_is_a_service():
    assert "gunicorn config.wsgi" in _command("web")
    assert "--queues=cpu" in _command("worker-cpu")
    assert "--queues=gpu" in _command("worker-gpu")
    assert "reap_lab_runs" in _command("reaper")
    assert "migrate" in _command("migrate")
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")


def test_the_gpu_worker_reserves_an_nvidia_gpu():
    (device,) = SERVICES["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]


def test_every_long_running_service_has_a_health_check():
    running = {"db", "redis", "web", "worker-cpu", "worker-gpu", "reaper"}
    assert {name for name in running if "healthcheck" in SERVICES[name]} == running


def test_the_database_and_the_model_cache_live_in_named_volumes():
    assert {"postgres-data", "models"} <= set(COMPOSE["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "models:/app/var/models" in SERVICES["worker-cpu"]["volumes"]


def test_settings_come_from_the_environment_in_production_mode():
    environment = SERVICES["web"]["environment"]
    assert environment["DJANGO_DEBUG"] == "false"
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["CELERY_BROKER_URL"].startswith("redis://")


def test_the_image_pins_torch_as_pyproject_does():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (torch,) = [pin for pin in dependencies if pin.startswith("torch==")]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert set(re.findall(r"torch==[0-9.]+", dockerfile)) == {torch}
