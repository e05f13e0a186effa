"""The real-size base-model preset for GPU workers: GPT-2 small's shape, chosen with
``LABS_BASE_PRESET=gpt2-small``, never built on a worker without a GPU unless asked."""

import pytest
import torch
from transformers import GPT2LMHeadModel

from workers.base_model import (
    GPU_PRESETS,
    PRESETS,
    gpt2_config,
    needs_gpu,
    preset_config,
    resolve_base_model,
)
from workers.runtime import LabInputError


def test_the_gpt2_small_preset_has_gpt2_smalls_shape(base_model):
    _, tokenizer = base_model
    config = gpt2_config(PRESETS["gpt2-small"], tokenizer)
    assert (config.n_layer, config.n_embd, config.n_head) == (12, 768, 12)
    with torch.device("meta"):  # counted without allocating 340 MB
        model = GPT2LMHeadModel(config)
    params = sum(p.numel() for p in model.parameters())
    # 12 blocks of 12 x 768^2 weights plus biases and norms; the world's vocabulary is small
    assert 85_000_000 < params < 86_500_000, params


def test_the_preset_is_selected_by_its_name(monkeypatch):
    monkeypatch.setenv("LABS_BASE_PRESET", "gpt2-small")
    assert preset_config() is PRESETS["gpt2-small"]
    assert needs_gpu(preset_config()) and "gpt2-small" in GPU_PRESETS
    assert not needs_gpu(PRESETS["default"]) and not needs_gpu(PRESETS["small"])
    monkeypatch.setenv("LABS_BASE_PRESET", "gpt2-xl")
    with pytest.raises(LabInputError, match="LABS_BASE_PRESET='gpt2-xl' is not one of"):
        preset_config()


def test_a_worker_without_a_gpu_refuses_to_build_it_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("LABS_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("LABS_BASE_PRESET", "gpt2-small")
    monkeypatch.setenv("LABS_DEVICE", "cpu")
    monkeypatch.delenv("LABS_BASE_MODEL", raising=False)
    monkeypatch.delenv("LABS_BUILD_ON_CPU", raising=False)
    with pytest.raises(LabInputError) as refused:
        resolve_base_model()
    assert str(refused.value) == (
        "the gpt2-small base model is pretrained on a GPU and this worker has none: run it "
        "on a GPU worker, unset LABS_BASE_PRESET here, or set LABS_BUILD_ON_CPU=1"
    )
    assert list(tmp_path.iterdir()) == []
