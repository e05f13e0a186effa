"""Shared fixtures for the lab engine tests: one small base model per session.

The small preset (``LABS_BASE_PRESET=small``) has the default architecture, a smaller corpus
and fewer pretraining steps; it is built once into a temporary ``LABS_MODEL_DIR`` so the
tests never touch ``var/models``."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def labs_env(tmp_path_factory):
    """Environment for model tests: small preset, temporary model directory, base built."""
    import workers
    from workers.base_model import build_base_model

    models = tmp_path_factory.mktemp("labs-models")
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
