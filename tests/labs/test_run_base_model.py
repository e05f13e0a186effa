"""The run page says which base model a finished run used (the device is said beside the
time it took)."""

import uuid

import pytest

from labs.models import LabRun
from workers.experiments.common import base_model_label, result_shell

pytestmark = pytest.mark.django_db


def _finished(lab, user, result) -> LabRun:
    return LabRun.objects.create(
        lab=lab,
        user=user,
        submission=uuid.uuid4(),
        params={"steps": 3},
        status="succeeded",
        headline="Done.",
        result={"headline": "Done.", "series": {}, "tables": [], "samples": [], **result},
    )


def test_a_finished_run_names_its_base_model_and_its_size(client, student, lab):
    run = _finished(
        lab,
        student,
        {"base_model_label": "the gpt2-small preset", "timings": {"model_parameters": 85123456}},
    )
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "Base model: the gpt2-small preset (85,123,456 parameters)." in text


def test_a_run_stored_before_the_label_existed_says_nothing_about_it(client, student, lab):
    run = _finished(lab, student, {"base_model": "/var/models/base-1"})
    client.force_login(student)
    assert "Base model:" not in client.get(run.get_absolute_url()).text


def test_the_engine_names_the_preset_it_uses(monkeypatch):
    monkeypatch.delenv("LABS_BASE_MODEL", raising=False)
    monkeypatch.setenv("LABS_BASE_PRESET", "small")
    assert result_shell("/m/base-x")["base_model_label"] == "the small preset"


def test_the_engine_names_a_model_directory_given_instead(monkeypatch):
    monkeypatch.setenv("LABS_BASE_MODEL", "/models/my-model")
    assert base_model_label("/models/my-model") == "/models/my-model"
