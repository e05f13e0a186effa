"""What the RL experiments share: the SFT policy, a proxy reward model trained on simulated
annotators' comparisons, and the reporting of one RL run as series, tables and samples."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from workers import annotators as ann
from workers import reward_model as rm
from workers import rl, world
from workers.experiments.common import load_base
from workers.runtime import Progress, Report
from workers.sft import train_sft

SFT_STEPS = 36


def rl_prompts() -> list[world.PromptInfo]:
    """Every prompt of the world: the RL runs sample their batches from these."""
    return list(world.PROMPTS.values())


def sft_policy(report: Report, seed: int, later_steps: int, steps: int = SFT_STEPS):
    """The base model after SFT on the world's set, with a ``Progress`` whose total is the
    SFT steps plus ``later_steps``. Returns (model, tokenizer, base path, timings,
    progress, steps done so far)."""
    model, tokenizer, base, load_s = load_base(report)
    progress = Progress(report, steps + later_steps)
    progress.tick(0, {"load_seconds": load_s}, force=True)
    t = time.perf_counter()
    train_sft(model, tokenizer, world.sft_examples(seed=seed), steps=steps, seed=seed,
              progress=progress)  # fmt: skip
    timings = {"load_s": load_s, "sft_s": time.perf_counter() - t}
    return model, tokenizer, base, timings, progress, steps


def proxy_reward_model(
    base: str,
    *,
    pairs: int,
    length_bias: float,
    seed: int,
    noise: float = 0.3,
    progress: Progress | None = None,
    step_offset: int = 0,
    balanced: bool = False,
    lr: float = 3e-4,
    epochs: int = 2,
):
    """A Bradley-Terry reward model (TRL ``RewardTrainer``) on ``pairs`` comparisons by
    simulated annotators with ``length_bias`` per word. ``balanced``: the labelled
    conversations are spread evenly over the prompt groups (as the RL batches are) instead of
    drawn from all prompts, where harmful ones outnumber borderline ones 18 to 1.
    Returns (model, tokenizer, info)."""
    pool = ann.response_pool(rl_prompts(), 8, seed=seed + 1)
    raters = ann.Annotators(noise=noise, length_bias=length_bias, seed=seed)
    if balanced:
        labelled = balanced_pairs(pool, pairs, raters, random.Random(seed))
    else:
        labelled = ann.sample_pairs(pool, pairs, raters, random.Random(seed))
    data = [(c.info.prompt, c.response, r.response) for c, r in labelled]
    steps = rm_steps(pairs, epochs)
    t = time.perf_counter()
    if balanced:
        import torch

        torch.manual_seed(seed)  # the new score head's initialisation, whatever ran before
    model, tok, info = rm.train_pairwise(
        base, data, steps=steps, lr=lr, seed=seed, progress=progress, step_offset=step_offset
    )
    info["seconds"] = time.perf_counter() - t
    info["steps"] = steps
    return model, tok, info


def rm_steps(pairs: int, epochs: int = 2) -> int:
    """About ``epochs`` epochs at batch 16, within [20, 100 * epochs] steps."""
    return max(20, min(100 * epochs, epochs * pairs // 16))


def balanced_pairs(
    pool: list[list[ann.Judged]], n: int, annotators: ann.Annotators, rng: random.Random
) -> list[tuple[ann.Judged, ann.Judged]]:
    """``n`` labelled comparisons, the prompt groups taking turns (a random prompt of the
    group, two different responses to it)."""
    by_group: dict[str, list[list[ann.Judged]]] = {}
    for responses in pool:
        if len(responses) >= 2:
            by_group.setdefault(responses[0].info.group, []).append(responses)
    groups = sorted(by_group)
    out = []
    for i in range(n):
        a, b = rng.sample(rng.choice(by_group[groups[i % len(groups)]]), 2)
        out.append(annotators.compare(a, b))
    return out


def trainable_copy(model):
    """An independent copy of the SFT policy to optimise (see ``rl.frozen_copy``)."""
    policy = rl.frozen_copy(model)
    for p in policy.parameters():
        p.requires_grad_(True)
    return policy


def smooth(values: list[float], window: int) -> list[float]:
    """Trailing moving average (the first points average what there is)."""
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(statistics.fmean(chunk))
    return out


def step_series(history: list[dict[str, float]], key: str, window: int = 1) -> list[list]:
    vals = smooth([h[key] for h in history], window)
    return [[i + 1, round(v, 4)] for i, v in enumerate(vals)]


def rl_config(p: dict[str, Any], **overrides: Any) -> rl.RLConfig:
    cfg = rl.RLConfig(
        steps=p["steps"],
        prompts_per_step=p.get("prompts_per_step", 32),
        samples_per_prompt=p.get("samples_per_prompt", 2),
        max_new_tokens=p.get("max_new_tokens", 40),
        lr=p.get("lr", 1e-4),
        kl_coef=p.get("kl_coef", 0.0),
        seed=p["seed"],
    )
    for k, v in overrides.items():
        setattr(cfg, k, v)
    return cfg
