"""Experiment 7: DPO vs PPO from the same preference data. DPO (TRL's ``DPOTrainer``) learns
from the comparisons directly; PPO (the project loop) learns a reward model from them first
and then optimises against it. Both are measured the same way along training: gold score
and KL to the SFT model of sampled answers to a fixed, family-balanced prompt set, and wall
time."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from typing import Any

from workers import annotators as ann
from workers import rl, world
from workers.experiments import rlhf_setup as rs
from workers.experiments.common import result_shell
from workers.generation import format_prompt
from workers.runtime import Progress, Report, diverged_at
from workers.trainers import divergence_guard, quiet, trainer_args

# The fixed evaluation set: up to 12 prompts per group (110 prompts), 2 samples each. With
# 6 per group and one sample (60 answers) the standard error of a gold measurement was at
# least 0.08 (the SFT model's per-prompt spread, 0.62, over sqrt(60)), as large as the
# DPO-PPO differences it was meant to show. Both methods answer the same prompts, so their
# difference is judged prompt by prompt (a paired standard error).
EVAL_PER_GROUP = 12
EVAL_SAMPLES = 2

Points = list[tuple[int, dict[str, Any]]]  # (step, measurement) along training


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    n_rm = rs.rm_steps(p["pairs"])
    sft, tok, base, t_setup, progress, done = rs.sft_policy(
        report, p["seed"], 1 + p["dpo_steps"] + n_rm + p["ppo_steps"]
    )
    reference = rl.frozen_copy(sft)
    eval_infos = world.eval_prompts(per_group=EVAL_PER_GROUP, seed=p["seed"] + 7)
    start = measure(sft, reference, tok, eval_infos, p["seed"])
    pairs = preference_data(p)
    progress.tick(done + 1, {"sft_gold": start["gold"]}, force=True)
    dpo = train_dpo(sft, reference, tok, pairs, p, eval_infos, progress, done + 1)
    ppo = train_ppo(sft, reference, tok, base, p, eval_infos, progress, done + 1 + p["dpo_steps"])
    res = summarise(p, base, start, dpo, ppo, len(eval_infos))
    res["timings"].update(
        load_s=round(t_setup["load_s"], 3),
        sft_s=round(t_setup["sft_s"], 3),
        dpo_s=round(dpo["seconds"], 3),
        reward_model_s=round(ppo["reward_model_s"], 3),
        ppo_s=round(ppo["ppo_s"], 3),
        eval_s=round(start["seconds"] + dpo["eval_s"] + ppo["eval_s"], 3),
        rl_seconds_per_step=round(ppo["run"]["seconds_per_step"], 4),
        trainer="trl.DPOTrainer; trl.RewardTrainer + project PPO loop (workers.rl)",
        model_parameters=sum(x.numel() for x in sft.parameters()),
    )
    ppo["progress"].tick(progress.total, force=True)
    return res


# ---------------------------------------------------------------------------------------
# The comparisons and the measurement both methods share
# ---------------------------------------------------------------------------------------
def preference_data(p: dict[str, Any]) -> list[tuple[str, str, str]]:
    pool = ann.response_pool(rs.rl_prompts(), 8, seed=p["seed"] + 1)
    raters = ann.Annotators(noise=0.3, length_bias=p["length_bias"], seed=p["seed"])
    labelled = ann.sample_pairs(pool, p["pairs"], raters, random.Random(p["seed"]))
    return [(c.info.prompt, c.response, r.response) for c, r in labelled]


def measure(policy, reference, tok, infos, seed: int) -> dict[str, Any]:
    """Gold and sequence KL to the reference of ``EVAL_SAMPLES`` samples per prompt; the
    gold's standard error is over the prompts' mean gold; ``seconds`` the time it took."""
    import torch

    t = time.perf_counter()
    torch.manual_seed(seed)
    batch = [i for i in infos for _ in range(EVAL_SAMPLES)]
    ro = rl.rollout(policy, tok, batch, max_new_tokens=40, temperature=1.0)
    with torch.no_grad():
        lp = rl.token_logprobs(policy, ro)
        ref = rl.token_logprobs(reference, ro)
    kl = ((lp - ref) * ro.response_mask).sum(1).mean().item()
    golds = [world.gold_score(i, r) for i, r in zip(batch, ro.responses, strict=True)]
    per_prompt = [
        statistics.fmean(golds[j : j + EVAL_SAMPLES]) for j in range(0, len(golds), EVAL_SAMPLES)
    ]
    return {
        "per_prompt": per_prompt,
        "gold": statistics.fmean(golds),
        "gold_se": statistics.stdev(per_prompt) / len(per_prompt) ** 0.5,
        "kl": kl,
        "length": sum(ro.lengths) / len(ro.lengths),
        "seconds": time.perf_counter() - t,
    }


# ---------------------------------------------------------------------------------------
# DPO
# ---------------------------------------------------------------------------------------
def train_dpo(sft, reference, tok, pairs, p, eval_infos, progress, offset) -> dict[str, Any]:
    """TRL ``DPOTrainer`` on a copy of the SFT model; gold and KL measured every
    ``eval_every`` steps by a callback. ``seconds``: the training alone (measuring is the
    lab's, ``eval_s``)."""
    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar
    from trl import DPOConfig, DPOTrainer

    t = time.perf_counter()
    policy = rs.trainable_copy(sft)
    rows = [
        {
            "prompt": format_prompt(pr, tok),
            "chosen": " " + world.normalise(c) + " " + tok.eos_token,
            "rejected": " " + world.normalise(r) + " " + tok.eos_token,
        }
        for pr, c, r in pairs
    ]
    disable_progress_bar()  # the trainer's dataset preparation would print bars
    points: Points = []
    losses: list[tuple[int, float]] = []
    callback = dpo_measurer(reference, tok, eval_infos, p, progress, offset, points, losses)
    with tempfile.TemporaryDirectory(prefix="labs-dpo-") as out:
        args = trainer_args(
            DPOConfig,
            out,
            steps=p["dpo_steps"],
            lr=p["dpo_lr"],
            batch_size=16,
            seed=p["seed"],
            lr_scheduler_type="constant",
            beta=p["beta"],
            max_length=None,
        )
        trainer = DPOTrainer(
            model=policy,
            ref_model=reference,
            args=args,
            train_dataset=Dataset.from_list(rows),
            processing_class=tok,
            callbacks=[callback, divergence_guard(offset, "DPO")],
        )
        quiet(trainer).train()
    policy.eval()
    eval_s = sum(m["seconds"] for _, m in points)
    seconds = time.perf_counter() - t - eval_s
    return {"points": points, "losses": losses, "seconds": seconds, "eval_s": eval_s}


def dpo_measurer(reference, tok, eval_infos, p, progress, offset, points, losses):
    """A trainer callback: keeps the DPO loss, measures the policy every ``eval_every``
    steps (and at the last) into ``points`` and reports ``dpo_gold`` and ``dpo_kl``."""
    from transformers import TrainerCallback

    class Measure(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))

        def on_step_end(self, args, state, control, model=None, **kwargs):
            step = state.global_step
            metrics = {}
            if step % p["eval_every"] == 0 or step == args.max_steps:
                with diverged_at(offset + step):
                    m = measure(model, reference, tok, eval_infos, p["seed"] + step)
                points.append((step, m))
                metrics = {"dpo_gold": m["gold"], "dpo_kl": m["kl"]}
                model.train()
            progress.tick(offset + step, metrics)

    return Measure()


# ---------------------------------------------------------------------------------------
# Reward model + PPO
# ---------------------------------------------------------------------------------------
class MeasuringProgress(Progress):
    """The PPO loop's progress: takes over from ``progress`` and, on the PPO steps (those
    after ``first_step``), calls ``measure_at(k)`` on PPO step k every ``every`` steps and
    at step ``final``, reporting what it returns with the step's metrics."""

    def __init__(self, progress: Progress, first_step: int, every: int, final: int, measure_at):
        super().__init__(progress.report, progress.total)
        self.step, self.last = progress.step, progress.last
        # The reward model's throttled loss points not yet reported go out with PPO's first
        # report instead of being dropped.
        self.pending, progress.pending = progress.pending, []
        self.first_step, self.every, self.final = first_step, every, final
        self.measure_at = measure_at

    def tick(self, step=None, metrics=None, samples=None, force=False):
        if step is not None and step > self.first_step:
            k = step - self.first_step
            if k % self.every == 0 or k == self.final:
                metrics = {**(metrics or {}), **self.measure_at(k)}
        super().tick(step, metrics, samples, force)


def train_ppo(sft, reference, tok, base, p, eval_infos, progress, offset) -> dict[str, Any]:
    """A reward model from the comparisons (TRL ``RewardTrainer``), then PPO from a copy of
    the SFT model against it, measured as DPO is every ``eval_every`` steps. Wall times of
    the reward model and of PPO's training alone."""
    t = time.perf_counter()
    rm_model, rm_tok, _ = rs.proxy_reward_model(
        base,
        pairs=p["pairs"],
        length_bias=p["length_bias"],
        seed=p["seed"],
        progress=progress,
        step_offset=offset,
    )
    rm_s = time.perf_counter() - t
    policy = rs.trainable_copy(sft)
    cfg = rl.RLConfig(
        algorithm="ppo", steps=p["ppo_steps"], kl_coef=p["kl_coef"], lr=p["ppo_lr"], seed=p["seed"]
    )
    points: Points = []

    def measure_at(k: int) -> dict[str, float]:
        m = measure(policy, reference, tok, eval_infos, p["seed"] + k)
        points.append((k, m))
        policy.train()
        return {"ppo_gold": m["gold"], "ppo_kl": m["kl"]}

    n_rm = rs.rm_steps(p["pairs"])
    measuring = MeasuringProgress(
        progress, offset + n_rm, p["eval_every"], p["ppo_steps"], measure_at
    )
    t = time.perf_counter()
    run = rl.train_ppo(
        policy,
        reference,
        tok,
        rl.reward_model_fn(rm_model, rm_tok),
        rs.rl_prompts(),
        cfg,
        progress=measuring,
        step_offset=offset + n_rm,
        label="ppo",
        report_keys=("proxy_reward", "kl"),
    )
    eval_s = sum(m["seconds"] for _, m in points)
    ppo_s = time.perf_counter() - t - eval_s
    return {
        "points": points,
        "run": run,
        "reward_model_s": rm_s,
        "ppo_s": ppo_s,
        "seconds": rm_s + ppo_s,
        "eval_s": eval_s,
        "progress": measuring,
    }


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def summarise(p, base, start, dpo, ppo, n_prompts: int) -> dict[str, Any]:
    res = result_shell(base)
    res["series"].update(series(start, dpo, ppo))
    ends = {name: r["points"][-1][1] for name, r in (("DPO", dpo), ("PPO", ppo))}
    bests = {
        name: max(r["points"], key=lambda x: x[1]["gold"])[1]
        for name, r in (("DPO", dpo), ("PPO", ppo))
    }
    res["tables"].append(table(p, start, dpo, ppo, ends, bests))
    res["samples"] = ppo["run"]["samples"][-3:]
    diffs = [
        d - q for d, q in zip(ends["DPO"]["per_prompt"], ends["PPO"]["per_prompt"], strict=True)
    ]
    diff_se = statistics.stdev(diffs) / len(diffs) ** 0.5
    res["headline"] = headline(p, start, dpo, ppo, ends, bests, diff_se, n_prompts)
    res["findings"] = findings(start, dpo, ppo, ends, bests, diff_se, n_prompts)
    return res


def series(start, dpo, ppo) -> dict[str, Any]:
    gold0 = round(start["gold"], 4)

    def against_kl(points: Points) -> list[list[float]]:
        return [[0.0, gold0]] + [
            [round(max(0.0, m["kl"]) ** 0.5, 4), round(m["gold"], 4)] for _, m in points
        ]

    def over_steps(points: Points) -> list[list[float]]:
        return [[0, gold0]] + [[s, round(m["gold"], 4)] for s, m in points]

    return {
        "gold_vs_sqrt_kl": {
            "x_label": "sqrt(KL to the SFT model), nats^0.5",
            "y_label": "gold score (fixed prompt set)",
            "lines": {"DPO": against_kl(dpo["points"]), "PPO": against_kl(ppo["points"])},
        },
        "gold_over_training": {
            "x_label": "optimiser step (DPO) / PPO step",
            "y_label": "gold score",
            "lines": {"DPO": over_steps(dpo["points"]), "PPO": over_steps(ppo["points"])},
        },
        "dpo_loss": {
            "x_label": "step",
            "y_label": "DPO loss",
            "lines": {"DPO": [[s, round(v, 4)] for s, v in dpo["losses"]]},
        },
    }


def table(p, start, dpo, ppo, ends, bests) -> dict[str, Any]:
    def row(name: str, seconds: float, includes: str) -> list:
        end, best = ends[name], bests[name]
        measured = [round(v, 3) for v in (end["gold"], end["kl"], best["gold"], best["kl"])]
        return [name, *measured, round(end["length"], 1), round(seconds, 2), includes]

    columns = "method gold_end kl_end best_gold kl_at_best response_tokens_end wall_s includes"
    sft = ["SFT (start)", round(start["gold"], 3), 0.0, None, None, round(start["length"], 1)]
    rm = f"reward model ({ppo['reward_model_s']:.1f} s)"
    return {
        "title": "DPO vs PPO from the same comparisons",
        "columns": columns.split(),
        "rows": [
            [*sft, None, ""],
            row("DPO", dpo["seconds"], f"{p['dpo_steps']} DPO steps"),
            row("PPO", ppo["seconds"], f"{rm} + {p['ppo_steps']} PPO steps"),
        ],
    }


def findings(start, dpo, ppo, ends, bests, diff_se, n_prompts) -> dict[str, Any]:
    dpo_end, ppo_end = ends["DPO"], ends["PPO"]
    return {
        "sft_gold": round(start["gold"], 4),
        "dpo_gold_end": round(dpo_end["gold"], 4),
        "dpo_kl_end": round(dpo_end["kl"], 4),
        "dpo_best_gold": round(bests["DPO"]["gold"], 4),
        "ppo_gold_end": round(ppo_end["gold"], 4),
        "ppo_kl_end": round(ppo_end["kl"], 4),
        "ppo_best_gold": round(bests["PPO"]["gold"], 4),
        "sft_gold_se": round(start["gold_se"], 4),
        "dpo_gold_end_se": round(dpo_end["gold_se"], 4),
        "ppo_gold_end_se": round(ppo_end["gold_se"], 4),
        "gold_end_difference_se": round(diff_se, 4),
        "gold_end_difference_in_se": round((dpo_end["gold"] - ppo_end["gold"]) / diff_se, 3),
        "eval_answers": n_prompts * EVAL_SAMPLES,
        "dpo_wall_s": round(dpo["seconds"], 3),
        "ppo_wall_s": round(ppo["seconds"], 3),
        "speedup": round(ppo["seconds"] / max(dpo["seconds"], 1e-6), 3),
    }


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(p, start, dpo, ppo, ends, bests, diff_se: float, n_prompts: int) -> str:
    dpo_end, ppo_end = ends["DPO"], ends["PPO"]
    dpo_s, ppo_s = dpo["seconds"], ppo["seconds"]
    faster = (
        f"DPO was {ppo_s / dpo_s:.1f}x faster"
        if dpo_s < ppo_s
        else f"PPO was {dpo_s / ppo_s:.1f}x faster"
    )
    return (
        f"From the same {p['pairs']} comparisons, DPO moved gold from {start['gold']:.2f} to "
        f"{dpo_end['gold']:.2f} at KL {dpo_end['kl']:.2f} nats in {dpo_s:.1f} s; PPO reached "
        f"{ppo_end['gold']:.2f} at KL {ppo_end['kl']:.2f} nats in {ppo_s:.1f} s "
        f"(reward model {ppo['reward_model_s']:.1f} s + PPO {ppo['ppo_s']:.1f} s). {faster}; "
        f"best gold along the way: DPO {bests['DPO']['gold']:.2f}, PPO "
        f"{bests['PPO']['gold']:.2f}. Each gold is measured on {n_prompts * EVAL_SAMPLES} "
        f"answers to the same {n_prompts} prompts: the final golds differ by "
        f"{abs(dpo_end['gold'] - ppo_end['gold']) / diff_se:.1f} standard errors of the "
        f"prompt-by-prompt difference ({diff_se:.3f})."
    )
