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
from workers.generation import evaluate_gold, sample
from workers.runtime import Progress, Report
from workers.sft import train_sft

SFT_STEPS = 36


def rl_prompts() -> list[world.PromptInfo]:
    """Every prompt of the world: the RL runs sample their batches from these."""
    return list(world.PROMPTS.values())


def sft_policy(
    report: Report,
    seed: int,
    later_steps: int,
    steps: int = SFT_STEPS,
    without_groups: tuple[str, ...] = (),
):
    """The base model after SFT on the world's set (less the examples of the prompt groups
    ``without_groups``), with a ``Progress`` whose total is the SFT steps plus
    ``later_steps``. Returns (model, tokenizer, base path, timings, progress, steps done so
    far)."""
    model, tokenizer, base, load_s = load_base(report)
    progress = Progress(report, steps + later_steps)
    progress.tick(0, {"load_seconds": load_s}, force=True)
    t = time.perf_counter()
    examples = [e for e in world.sft_examples(seed=seed) if e["family"] not in without_groups]
    train_sft(model, tokenizer, examples, steps=steps, seed=seed, progress=progress)
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
    pool: list[list[ann.Judged]] | None = None,
    confidence_bias: float = 0.0,
    deference_bias: float = 0.0,
):
    """A Bradley-Terry reward model (TRL ``RewardTrainer``) on ``pairs`` comparisons by
    simulated annotators with ``length_bias`` per word. ``balanced``: the labelled
    conversations are spread evenly over the prompt groups (as the RL batches are) instead of
    drawn from all prompts, where harmful ones outnumber borderline ones 18 to 1.
    ``pool``: the responses to label, grouped by prompt (default: 8 of mixed styles from the
    world's pool for every prompt, see ``labelled_pool``). ``confidence_bias`` and
    ``deference_bias``: the annotators' further flaws (``ann.Annotators``; 0: none).
    Returns (model, tokenizer, info)."""
    if pool is None:
        pool = ann.response_pool(rl_prompts(), 8, seed=seed + 1)
    raters = ann.Annotators(
        noise=noise,
        length_bias=length_bias,
        seed=seed,
        confidence_bias=confidence_bias,
        deference_bias=deference_bias,
    )
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


def labelled_pool(
    policy, tokenizer, *, per_prompt: int, seed: int, max_new_tokens: int, progress=None
) -> list[list[ann.Judged]]:
    """What the annotators label, grouped by prompt: the world's 8 responses of mixed styles
    for every prompt plus ``per_prompt`` responses sampled from ``policy`` (where RL starts),
    as in InstructGPT, whose labellers compared the model's own outputs. A reward model that
    has seen the policy's kind of answer judges the first RL steps better."""
    prompts = rl_prompts()
    pool = ann.response_pool(prompts, 8, seed=seed + 1)
    if per_prompt <= 0:
        return pool
    texts = sample(
        policy,
        tokenizer,
        [i.prompt for i in prompts for _ in range(per_prompt)],
        max_new_tokens=max_new_tokens,
        seed=seed + 7,
        progress=progress,
    )
    out = []
    for n, (info, mixed) in enumerate(zip(prompts, pool, strict=True)):
        items = {j.response: j for j in mixed}
        for text in texts[n * per_prompt : (n + 1) * per_prompt]:
            if text and text not in items:
                items[text] = ann.judge(info, text)
        out.append(list(items.values()))
    return out


def start_scores(
    policy,
    tokenizer,
    reward_fn,
    *,
    seed: int,
    max_new_tokens: int,
    per_group: int = 12,
    samples: int = 4,
    progress=None,
) -> dict[str, Any]:
    """Gold and proxy of ``policy`` before RL: ``samples`` responses to up to ``per_group``
    prompts of every group, the groups weighted equally as in the RL batches
    (``rl.stratified_batch``). The first RL step's batch is too small for a start to measure
    a rise against, and a moving average over the first steps already holds updates.

    ``agreement``: how often the proxy orders two of these responses to one prompt as gold
    does (pairs whose gold differs by more than 0.05): how well the proxy judges what RL
    starts from, which decides how much gold the first steps can gain."""
    infos = world.eval_prompts(per_group=per_group, seed=seed + 3)
    ev = evaluate_gold(
        policy,
        tokenizer,
        infos,
        samples_per_prompt=samples,
        seed=seed + 5,
        max_new_tokens=max_new_tokens,
        progress=progress,
    )
    recs = ev["records"]
    proxies = reward_fn([r["info"] for r in recs], [r["response"] for r in recs])
    by_group: dict[str, list[float]] = {}
    by_prompt: dict[str, list[tuple[float, float]]] = {}
    for r, proxy in zip(recs, proxies, strict=True):
        by_group.setdefault(r["info"].group, []).append(float(proxy))
        by_prompt.setdefault(r["info"].prompt, []).append((r["gold"], float(proxy)))
    gold = statistics.fmean(g["gold"] for g in ev["groups"].values())
    proxy = statistics.fmean(statistics.fmean(v) for v in by_group.values())
    agree = [
        (a[0] - b[0]) * (a[1] - b[1]) > 0
        for items in by_prompt.values()
        for i, a in enumerate(items)
        for b in items[i + 1 :]
        if abs(a[0] - b[0]) > 0.05
    ]
    return {
        "gold": gold,
        "proxy": proxy,
        "agreement": statistics.fmean(agree) if agree else None,
        "pairs": len(agree),
        "n": len(recs),
    }


def prompt_baseline(
    policy,
    tokenizer,
    reward_fn,
    *,
    samples: int,
    seed: int,
    max_new_tokens: int,
    prompts: list[world.PromptInfo] | None = None,
    progress=None,
) -> tuple[rl.RewardFn, dict[str, float]]:
    """``reward_fn`` less, for every prompt, the mean reward of ``samples`` answers the
    ``policy`` (the SFT model) gives it. A constant per prompt changes no prompt's best
    answer, but PPO's value head starts at zero: without it the first advantages are the
    differences BETWEEN prompts (a reward model that scores every capital question lower
    than every borderline one pushes all answers to capital questions down, right ones
    included), which the value head needs many steps to learn. Returns (the centred reward
    function, the baseline by prompt). ``prompts``: those RL will draw (default: all)."""
    prompts = prompts if prompts is not None else rl_prompts()
    texts = sample(
        policy,
        tokenizer,
        [i.prompt for i in prompts for _ in range(samples)],
        max_new_tokens=max_new_tokens,
        seed=seed + 11,
        progress=progress,
    )
    scores = reward_fn([i for i in prompts for _ in range(samples)], texts)
    baseline = {
        info.prompt: statistics.fmean(scores[n * samples : (n + 1) * samples])
        for n, info in enumerate(prompts)
    }

    def centred(infos, responses):
        raw = reward_fn(infos, responses)
        return [r - baseline.get(i.prompt, 0.0) for r, i in zip(raw, infos, strict=True)]

    return centred, baseline


def rm_steps(pairs: int, epochs: int = 2) -> int:
    """About ``epochs`` epochs at batch 16, within [20, 100 * epochs] steps."""
    return max(20, min(100 * epochs, epochs * pairs // 16))


def whole_reward_model(base, data, *, lr: float, seed: int, progress):
    """A whole-model reward model (TRL ``RewardTrainer``, about 2 epochs by ``rm_steps``,
    its new score head seeded whatever ran before) on (prompt, chosen, rejected) triples.
    Returns (model, tokenizer)."""
    import torch

    torch.manual_seed(seed)
    model, tok, _ = rm.train_pairwise(
        base,
        data,
        steps=rm_steps(len(data)),
        lr=lr,
        seed=seed,
        progress=progress,
        step_offset=progress.step,
    )
    return model, tok


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
