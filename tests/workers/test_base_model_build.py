"""The base-model build is atomic and locked."""

import threading
import time

import pytest

from workers import Cancelled
from workers.base_model import BaseModelConfig, _build_lock, build_base_model, is_built, model_path

TINY = BaseModelConfig(n_documents=200, steps=3, batch_size=4, warmup=1)


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_MODEL_DIR", str(tmp_path))
    return tmp_path


def test_a_cancelled_build_leaves_no_half_model(models_dir):
    def report(step, total, metrics, samples):
        if "corpus_tokens" in metrics:  # the corpus is ready, pretraining about to start
            raise Cancelled

    with pytest.raises(Cancelled):
        build_base_model(TINY, report=report)
    assert not is_built(TINY)
    assert [p.name for p in models_dir.iterdir() if not p.name.endswith(".lock")] == []


def test_a_crash_while_saving_leaves_no_half_model(models_dir, monkeypatch):
    from transformers import PreTrainedTokenizerFast

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(PreTrainedTokenizerFast, "save_pretrained", broken)
    with pytest.raises(OSError, match="disk full"):
        build_base_model(TINY)
    assert [p.name for p in models_dir.iterdir() if not p.name.endswith(".lock")] == []


@pytest.mark.slow
def test_a_tiny_configuration_builds_into_its_own_keyed_directory(models_dir):
    path = build_base_model(TINY)
    assert path == model_path(TINY) == models_dir / f"base-{TINY.key()}"
    assert is_built(TINY) and (path / "model.safetensors").exists()


def test_only_one_process_builds_at_a_time(models_dir):
    target = models_dir / "base-x"
    entered = threading.Event()

    def second():
        with _build_lock(target):
            entered.set()

    with _build_lock(target):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert not entered.is_set()  # waits while the first holds the lock
    thread.join(5)
    assert entered.is_set()
