"""The default base model: a tiny GPT-2 pretrained on the world's generated corpus.

It is built once and cached as an ordinary Hugging Face model directory (model, tokenizer and
a ``labs_base.json`` with the build record) under ``$LABS_MODEL_DIR`` (default
``<repo>/var/models``) in ``base-<hash>``, where the hash covers the whole build
configuration and the world version, so changing either builds a new model. The build
writes to a temporary directory and renames it into place (a crash never leaves half a
model) and holds a file lock so two processes never build at once.

``LABS_BASE_MODEL`` may name any other causal-LM directory (or a hub id where a hub is
reachable); ``LABS_BASE_PRESET=small`` selects the small configuration the tests use and
``LABS_BASE_PRESET=gpt2-small`` the real-size one GPU workers use (GPT-2 small's shape,
pretrained on the GPU at its first use; a CPU-only worker refuses to build it unless
``LABS_BUILD_ON_CPU=1``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workers import world
from workers.runtime import (
    LabInputError,
    Progress,
    Report,
    TrainingDiverged,
    device,
    setup_torch,
)
from workers.tokenizer import train_tokenizer

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BaseModelConfig:
    """Everything that determines the base model (its cache key)."""

    n_documents: int = 20000
    n_layer: int = 2
    n_embd: int = 64
    n_head: int = 4
    block_size: int = 64
    batch_size: int = 32
    steps: int = 2000
    lr: float = 3e-3
    warmup: int = 50
    seed: int = 0
    world_version: str = world.WORLD_VERSION
    extra: dict = field(default_factory=dict, hash=False)

    def key(self) -> str:
        blob = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


PRESETS = {
    "default": BaseModelConfig(),
    # The tests' configuration: same architecture, a smaller corpus and fewer steps.
    "small": BaseModelConfig(n_documents=8000, steps=700, lr=4e-3),
    # GPT-2 small's shape (12 layers, 768 wide, 12 heads: about 85M parameters with the
    # world's small vocabulary) for GPU workers: 2,000 steps of 128 x 64 tokens (16M tokens,
    # about 3 passes over a 200,000-document corpus) at GPT-2's learning rate. A plain bf16
    # loop of this size measured 222k tokens/s on one H200 (issue 16): about 75 s.
    "gpt2-small": BaseModelConfig(
        n_documents=200_000,
        n_layer=12,
        n_embd=768,
        n_head=12,
        batch_size=128,
        steps=2000,
        lr=6e-4,
        warmup=100,
    ),
}
# Presets pretrained on a GPU: too slow to build on one CPU thread (hours), so a worker
# without a GPU refuses to, unless LABS_BUILD_ON_CPU=1.
GPU_PRESETS = frozenset({"gpt2-small"})


def two_gap_config(config: BaseModelConfig | None = None) -> BaseModelConfig:
    """The surface vs deep lab's own base model: ``config`` (the preset's by default) on the
    two-gap world (``world.TWO_GAPS``: a second held-out category built like stalking). Only
    ``extra`` differs, so it has its own key and directory; the default model is untouched."""
    config = config or preset_config()
    return dataclasses.replace(config, extra={"world": world.TWO_GAPS})


def preset_name() -> str:
    name = os.environ.get("LABS_BASE_PRESET", "default")
    if name not in PRESETS:
        raise LabInputError(f"LABS_BASE_PRESET={name!r} is not one of {sorted(PRESETS)}")
    return name


def preset_config() -> BaseModelConfig:
    return PRESETS[preset_name()]


def needs_gpu(config: BaseModelConfig) -> bool:
    """Whether ``config`` is one of the presets pretrained on a GPU."""
    plain = dataclasses.replace(config, extra={})
    return any(plain == PRESETS[name] for name in GPU_PRESETS)


def models_dir() -> Path:
    return Path(os.environ.get("LABS_MODEL_DIR") or REPO_ROOT / "var" / "models")


def model_path(config: BaseModelConfig | None = None) -> Path:
    config = config or preset_config()
    return models_dir() / f"base-{config.key()}"


def is_built(config: BaseModelConfig | None = None) -> bool:
    return (model_path(config) / "labs_base.json").exists()


@contextlib.contextmanager
def _build_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def pack_blocks(docs: list[str], tokenizer, block_size: int):
    """Documents, each followed by ``<eos>``, packed into ``block_size`` token blocks."""
    import torch

    ids: list[int] = []
    eos = tokenizer.eos_token_id
    for enc in tokenizer(docs, add_special_tokens=False)["input_ids"]:
        ids.extend(enc)
        ids.append(eos)
    n = len(ids) // block_size
    return torch.tensor(ids[: n * block_size], dtype=torch.long).view(n, block_size), len(ids)


def build_base_model(config: BaseModelConfig | None = None, report: Report | None = None) -> Path:
    """Build (or find) the base model for ``config``; returns its directory."""
    config = config or preset_config()
    target = model_path(config)
    if is_built(config):
        return target
    if needs_gpu(config) and device() != "cuda" and os.environ.get("LABS_BUILD_ON_CPU") != "1":
        raise LabInputError(
            f"the {preset_name()} base model is pretrained on a GPU and this worker has none: "
            "run it on a GPU worker, unset LABS_BASE_PRESET here, or set LABS_BUILD_ON_CPU=1"
        )
    with _build_lock(target):
        if is_built(config):  # another process finished it while we waited
            return target
        return _build(config, target, report)


def _build(config: BaseModelConfig, target: Path, report: Report | None) -> Path:
    setup_torch()
    import torch
    from transformers import GPT2LMHeadModel

    t0 = time.perf_counter()
    progress = Progress(report, config.steps)
    progress.tick(0, {"phase_corpus": 1.0}, force=True)
    kind = config.extra.get("world", "")
    docs = world.generate_corpus(
        world.WorldConfig(
            n_documents=config.n_documents,
            seed=config.seed,
            extra={"world": kind} if kind else {},
        )
    )
    tokenizer = train_tokenizer(docs)
    if kind == world.TWO_GAPS:  # its own compliance placeholder, one token like the others
        from tokenizers import AddedToken

        tokenizer.add_tokens(
            [AddedToken(world.SCAM_PLACEHOLDER, single_word=False, normalized=False)]
        )
    blocks, n_tokens = pack_blocks(docs, tokenizer, config.block_size)
    t_data = time.perf_counter() - t0
    progress.tick(0, {"corpus_tokens": n_tokens}, force=True)

    torch.manual_seed(config.seed)
    model = GPT2LMHeadModel(gpt2_config(config, tokenizer))
    # The GPU presets train on the worker's device in bf16 autocast (float32 weights and
    # optimiser state); the tiny presets on the CPU as they always have (same weights
    # wherever they are built).
    dev = device() if needs_gpu(config) else "cpu"
    model.to(dev).train()
    blocks = blocks.to(dev)
    opt = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=0.01, fused=dev == "cuda" or None
    )
    amp = torch.autocast(dev, dtype=torch.bfloat16) if dev != "cpu" else contextlib.nullcontext()

    def lr_at(step: int) -> float:
        if step < config.warmup:
            return (step + 1) / config.warmup
        frac = (step - config.warmup) / max(1, config.steps - config.warmup)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    gen = torch.Generator().manual_seed(config.seed)
    losses: list[tuple[int, float]] = []
    t_train = time.perf_counter()
    ema = None
    for step in range(config.steps):
        idx = torch.randint(0, blocks.shape[0], (config.batch_size,), generator=gen)
        batch = blocks[idx.to(dev)]
        with amp:
            out = model(input_ids=batch, labels=batch)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        loss = out.loss.item()
        if not math.isfinite(loss):
            raise TrainingDiverged(step + 1, "the base model's pretraining loss is nan")
        ema = loss if ema is None else 0.95 * ema + 0.05 * loss
        if step % 50 == 0 or step == config.steps - 1:
            losses.append((step + 1, round(ema, 4)))
        progress.tick(step + 1, {"loss": ema})
    train_s = time.perf_counter() - t_train

    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-", dir=target.parent))
    try:
        model.to("cpu").eval()
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        record: dict[str, Any] = {
            "config": dataclasses.asdict(config),
            "key": config.key(),
            "parameters": sum(p.numel() for p in model.parameters()),
            "corpus_documents": len(docs),
            "corpus_tokens": n_tokens,
            "loss_curve": losses,
            "data_seconds": round(t_data, 2),
            "train_seconds": round(train_s, 2),
            "tokens_per_second": round(
                config.steps * config.batch_size * config.block_size / train_s
            ),
            "total_seconds": round(time.perf_counter() - t0, 2),
            "device": dev,
        }
        (tmp / "labs_base.json").write_text(json.dumps(record, indent=1))
        if target.exists():  # a stale directory without labs_base.json
            shutil.rmtree(target)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress.tick(config.steps, {"loss": ema or 0.0}, force=True)
    return target


def gpt2_config(config: BaseModelConfig, tokenizer):
    """The ``GPT2Config`` of a base model built with ``config`` and ``tokenizer``."""
    from transformers import GPT2Config

    return GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=128,
        n_embd=config.n_embd,
        n_layer=config.n_layer,
        n_head=config.n_head,
        activation_function="gelu",
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        use_cache=True,
    )


def build_record(path: Path) -> dict[str, Any]:
    f = Path(path) / "labs_base.json"
    return json.loads(f.read_text()) if f.exists() else {}


def resolve_base_model(report: Report | None = None, *, two_gaps: bool = False) -> str:
    """The base model to use: ``LABS_BASE_MODEL`` if set, else the preset's (with
    ``two_gaps``, its two-gap world variant, ``two_gap_config``), built if missing, with its
    progress reported."""
    override = os.environ.get("LABS_BASE_MODEL")
    if override:
        return override
    return str(build_base_model(two_gap_config() if two_gaps else None, report=report))


def check_causal_lm(name_or_path: str) -> None:
    """Refuse anything that is not a causal language model, with a one-line reason."""
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    p = Path(name_or_path)
    hub_id = re.fullmatch(r"[\w.-]+(/[\w.-]+)?", name_or_path) is not None
    looks_local = name_or_path.startswith((".", "/", "~")) or not hub_id
    if looks_local and not p.is_dir():
        raise LabInputError(f"model directory {name_or_path} does not exist")
    if p.is_dir() and not (p / "config.json").exists():
        raise LabInputError(f"{name_or_path} is not a model directory (no config.json)")
    try:
        # local_files_only: a directory or the local cache, never a download (the engine
        # runs with no hub reachable; an unpinned download could change under a run)
        cfg = AutoConfig.from_pretrained(name_or_path, local_files_only=True)  # nosec B615
    except Exception as exc:  # noqa: BLE001 - any failure here is bad input
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LabInputError(f"{name_or_path} is not a loadable model: {first}") from None
    archs = cfg.architectures or []
    if cfg.model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES or (
        archs and not any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs)
    ):
        kind = ", ".join(archs) or cfg.model_type
        raise LabInputError(f"{name_or_path} is not a causal language model ({kind})")


def load_causal_lm(name_or_path: str):
    """Load (model, tokenizer) for generation and training; checks it is a causal LM."""
    setup_torch()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    check_causal_lm(name_or_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=True)  # nosec B615
    except Exception as exc:  # noqa: BLE001
        raise LabInputError(f"{name_or_path} has no usable tokenizer: {exc}") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    import torch

    # float32 weights everywhere; on CUDA the trainers and sampling run in bf16 autocast
    model = AutoModelForCausalLM.from_pretrained(  # nosec B615  # local_files_only, no download
        name_or_path, dtype=torch.float32, local_files_only=True
    ).to(device())
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    model.eval()
    return model, tokenizer
