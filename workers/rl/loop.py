"""The step loop PPO and RLOO share, so the two are compared on identical machinery: each
step draws a batch stratified over the prompt groups, samples responses, scores them with
the reward model, takes the frozen reference's log-probs, hands the scored batch to the
algorithm's update (``rloo.rloo_update``, ``ppo.ppo_update``) and reports the proxy reward,
gold, KL, response length and refusal rates by family. Also here: the configuration, the
reward function over a reward model, and the optimiser step both updates take."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workers import world
from workers.reward_model import score
from workers.rl.rollout import Rollout, rollout, token_logprobs
from workers.runtime import Progress, check_finite, diverged_at


@dataclass
class RLConfig:
    algorithm: str = "rloo"  # "rloo" | "ppo": which loop ``train_policy`` runs
    steps: int = 100
    prompts_per_step: int = 32
    samples_per_prompt: int = 2
    max_new_tokens: int = 40
    temperature: float = 1.0
    lr: float = 1e-4
    kl_coef: float = 0.0
    seed: int = 0
    # PPO only
    ppo_epochs: int = 2
    minibatches: int = 2
    clip: float = 0.2
    value_clip: float = 0.2
    vf_coef: float = 0.5
    gamma: float = 1.0
    lam: float = 0.95
    value_lr: float = 1e-3
    sample_every: int = 10


RewardFn = Callable[[list[world.PromptInfo], list[str]], list[float]]


def reward_model_fn(rm_model, rm_tokenizer) -> RewardFn:
    """The reward function of a sequence-classification reward model."""

    def fn(infos, responses):
        return score(
            rm_model, rm_tokenizer, [(i.prompt, r) for i, r in zip(infos, responses, strict=True)]
        )

    return fn


@dataclass
class Batch:
    """One step's rollouts, scored: what an algorithm's update learns from."""

    rollout: Rollout
    scores: Any  # (B,) reward-model scores
    mask: Any  # (B, T-1) the response tokens, as floats
    ref_logp: Any  # (B, T-1) log-probs under the frozen reference


# One algorithm's update on a batch: returns the summed log-ratio to the reference of each
# response (B,), the step's KL, and the algorithm's own metrics (PPO: clip fraction, ...).
Update = Callable[[Batch], tuple[Any, dict[str, float]]]


def prepare(policy, reference, cfg: RLConfig) -> tuple[random.Random, list]:
    """Seed torch and the batch sampler with ``cfg.seed``, freeze the reference and put the
    policy in training mode with dropout off. Returns (batch sampler, trainable parameters)."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    reference.eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    policy.train()
    # dropout is off in the world's base model; make sure for other models too
    for mod in policy.modules():
        if isinstance(mod, torch.nn.Dropout):
            mod.p = 0.0
    return rng, [p for p in policy.parameters() if p.requires_grad]


def optimiser_step(opt, params: list, loss) -> None:
    """Backward, the policy's gradient norm clipped to 1, one optimiser step. A loss or a
    gradient norm that is NaN or infinite raises ``NonFinite`` before the step, so the
    weights are never overwritten with NaN (the optimiser's state is float32, as the
    weights are: autocast only lowers the matrix products)."""
    import torch

    opt.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
    if not bool(torch.isfinite(loss.detach()) & torch.isfinite(norm)):  # one host sync
        check_finite("the policy's loss", loss.detach())
        check_finite("the policy's gradient norm", norm)
    opt.step()


def run_steps(
    policy,
    reference,
    tokenizer,
    reward_fn: RewardFn,
    prompts: list[world.PromptInfo],
    cfg: RLConfig,
    update: Update,
    rng: random.Random,
    *,
    algorithm: str,
    progress: Progress | None = None,
    step_offset: int = 0,
    prefix: str = "",
    label: str = "",
    report_keys: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """``cfg.steps`` steps of rollout, scoring and ``update``. A NaN or infinity in a
    step's sampling logits, scores, loss or gradient norm stops the run with
    ``TrainingDiverged`` naming the step (``step_offset + step``) and what went non-finite.

    Each step reports (through ``progress``) ``proxy_reward``, ``gold``, ``kl`` (mean summed
    log-ratio to the reference, sequence level), ``response_length`` (tokens with eos) and
    ``refusal_<family>`` rates plus the update's own metrics (only ``report_keys`` when
    given), names prefixed by ``prefix``, at step ``step_offset + step``; three samples at
    the first and last step and every ``cfg.sample_every`` steps, their model named
    ``label`` (default ``algorithm``) and the step. Returns the history (every metric of
    every step), the samples and timings."""
    progress = progress or Progress(None, cfg.steps)
    by_group: dict[str, list[world.PromptInfo]] = defaultdict(list)
    for info in prompts:
        by_group[info.group].append(info)
    history: list[dict[str, float]] = []
    samples: list[dict[str, Any]] = []
    t_start = time.perf_counter()
    t_rollout = t_update = 0.0
    for step in range(1, cfg.steps + 1):
        with diverged_at(step_offset + step):
            t0 = time.perf_counter()
            batch, golds = scored_batch(
                policy, reference, tokenizer, reward_fn, by_group, cfg, step, rng
            )
            t_rollout += time.perf_counter() - t0
            t1 = time.perf_counter()
            kl_seq, extra = update(batch)
            t_update += time.perf_counter() - t1
        point = step_metrics(batch, golds, kl_seq, extra)
        history.append(point)
        live = []
        if step == 1 or step % cfg.sample_every == 0 or step == cfg.steps:
            live = step_samples(batch, golds, rng, f"{label or algorithm} step {step}")
            samples.extend(live)
        reported = {
            f"{prefix}{key}": v
            for key, v in point.items()
            if report_keys is None or key in report_keys
        }
        progress.tick(step_offset + step, reported, samples=live)
    policy.eval()
    total = time.perf_counter() - t_start
    return {
        "history": history,
        "samples": samples,
        "seconds": total,
        "seconds_per_step": total / max(1, cfg.steps),
        "rollout_s": t_rollout,
        "update_s": t_update,
    }


def scored_batch(policy, reference, tokenizer, reward_fn, by_group, cfg, step, rng):
    """Sample ``cfg.samples_per_prompt`` responses to each prompt of a stratified batch and
    score them: the reward model's score, the reference's log-probs and (for the report) the
    gold score. Returns (batch, golds)."""
    import torch

    k = cfg.samples_per_prompt
    infos = [
        i for i in stratified_batch(by_group, cfg.prompts_per_step, step, rng) for _ in range(k)
    ]
    ro = rollout(
        policy, tokenizer, infos, max_new_tokens=cfg.max_new_tokens, temperature=cfg.temperature
    )
    scores = torch.tensor(reward_fn(infos, ro.responses), dtype=torch.float32)
    check_finite("the reward model's score", scores)
    golds = [world.gold_score(i, r) for i, r in zip(infos, ro.responses, strict=True)]
    mask = ro.response_mask.float()
    with torch.no_grad():
        ref_logp = token_logprobs(reference, ro)
    check_finite("a log-prob under the reference model", ref_logp)
    return Batch(ro, scores, mask, ref_logp), golds


def stratified_batch(
    by_group: dict[str, list[world.PromptInfo]], n: int, step: int, rng: random.Random
) -> list[world.PromptInfo]:
    """``n`` prompts spread evenly over the groups (the remainder rotates with ``step``), so
    a step's gold and refusal rates are not swayed by which families the batch drew."""
    groups = sorted(by_group)
    out = []
    for j in range(n):
        g = groups[(j + step * n) % len(groups)]
        out.append(rng.choice(by_group[g]))
    return out


def step_metrics(batch: Batch, golds: list[float], kl_seq, extra: dict) -> dict[str, float]:
    """What a step reports: proxy reward, gold, KL, length, refusal rates, the update's own."""
    ro = batch.rollout
    point = {
        "proxy_reward": float(batch.scores.mean()),
        "gold": sum(golds) / len(golds),
        "kl": float(kl_seq.mean()),
        "response_length": sum(ro.lengths) / len(ro.lengths),
    }
    point.update(family_refusal_metrics(ro.infos, ro.responses))
    point.update(extra)
    return point


def family_refusal_metrics(infos, responses) -> dict[str, float]:
    """``refusal_<family>`` for every family (harmful = all harmful categories)."""
    acc: dict[str, list[bool]] = defaultdict(list)
    for info, r in zip(infos, responses, strict=True):
        acc[info.family].append(world.is_refusal(r))
    return {f"refusal_{f}": sum(v) / len(v) for f, v in sorted(acc.items())}


def step_samples(batch: Batch, golds: list[float], rng: random.Random, model: str) -> list[dict]:
    """Three of the step's responses, drawn with the batch sampler, as result samples."""
    ro = batch.rollout
    out = []
    for j in rng.sample(range(len(ro.infos)), min(3, len(ro.infos))):
        out.append(
            {
                "prompt": ro.infos[j].prompt,
                "response": ro.responses[j],
                "family": ro.infos[j].group,
                "gold": round(golds[j], 3),
                "proxy": round(float(batch.scores[j]), 3),
                "model": model,
            }
        )
    return out
