"""Shared fixtures for the lab engine tests: one small base model.

The small preset (``LABS_BASE_PRESET=small``) has the default architecture, a smaller corpus
and fewer pretraining steps. It is built once per machine under ``var/test-models`` (keyed by
its configuration, so a change rebuilds it; the same place the web app's tests use), never
in ``var/models``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def labs_env():
    """Environment for model tests: small preset, test model directory, base built."""
    import workers
    from workers.base_model import build_base_model

    models = Path(__file__).resolve().parents[2] / "var" / "test-models"
    saved = {
        k: os.environ.get(k) for k in ("LABS_MODEL_DIR", "LABS_BASE_PRESET", "LABS_BASE_MODEL")
    }
    os.environ["LABS_MODEL_DIR"] = str(models)
    os.environ["LABS_BASE_PRESET"] = "small"
    os.environ.pop("LABS_BASE_MODEL", None)
    workers.preload()
    path = build_base_model()
    yield {"models": models, "base": path}
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def base_model(labs_env):
    from workers.base_model import load_causal_lm

    return load_causal_lm(str(labs_env["base"]))
