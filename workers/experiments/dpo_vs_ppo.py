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
from workers.experiments.common import pct, result_shell
from workers.generation import format_prompt
from workers.runtime import Progress, Report, use_bf16

# The fixed evaluation set: up to 12 prompts per group (110 prompts), 2 samples each. With
# 6 per group and one sample (60 answers) the standard error of a gold measurement was at
# least 0.08 (the SFT model's per-prompt spread, 0.62, over sqrt(60)), as large as the
# DPO-PPO differences it was meant to show. Both methods answer the same prompts, so their
# difference is judged prompt by prompt (a paired standard error).
EVAL_PER_GROUP = 12
EVAL_SAMPLES = 2


def measure(policy, reference, tok, infos, seed: int) -> dict[str, float]:
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


def preference_data(p: dict[str, Any]) -> list[tuple[str, str, str]]:
    pool = ann.response_pool(rs.rl_prompts(), 8, seed=p["seed"] + 1)
    raters = ann.Annotators(noise=0.3, length_bias=p["length_bias"], seed=p["seed"])
    labelled = ann.sample_pairs(pool, p["pairs"], raters, random.Random(p["seed"]))
    return [(c.info.prompt, c.response, r.response) for c, r in labelled]


def train_dpo(policy, reference, tok, pairs, p, eval_infos, progress, offset):
    """TRL ``DPOTrainer``; gold and KL measured every ``eval_every`` steps by a callback."""
    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar
    from transformers import TrainerCallback
    from trl import DPOConfig, DPOTrainer

    rows = [
        {
            "prompt": format_prompt(pr, tok),
            "chosen": " " + world.normalise(c) + " " + tok.eos_token,
            "rejected": " " + world.normalise(r) + " " + tok.eos_token,
        }
        for pr, c, r in pairs
    ]
    disable_progress_bar()  # the trainer's dataset preparation would print bars
    points: list[tuple[int, dict[str, float]]] = []
    losses: list[tuple[int, float]] = []

    class Measure(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))

        def on_step_end(self, args, state, control, model=None, **kwargs):
            step = state.global_step
            metrics = {}
            if step % p["eval_every"] == 0 or step == args.max_steps:
                m = measure(model, reference, tok, eval_infos, p["seed"] + step)
                points.append((step, m))
                metrics = {"dpo_gold": m["gold"], "dpo_kl": m["kl"]}
                model.train()
            progress.tick(offset + step, metrics)

    with tempfile.TemporaryDirectory(prefix="labs-dpo-") as out:
        args = DPOConfig(
            output_dir=out,
            max_steps=p["dpo_steps"],
            per_device_train_batch_size=16,
            learning_rate=p["dpo_lr"],
            lr_scheduler_type="constant",
            beta=p["beta"],
            logging_steps=1,
            save_strategy="no",
            report_to="none",
            disable_tqdm=True,
            bf16=use_bf16(),
            gradient_checkpointing=False,
            activation_checkpointing=False,
            dataloader_num_workers=0,
            seed=p["seed"],
            data_seed=p["seed"],
            use_cpu=not use_bf16(),
            max_length=None,
        )
        trainer = DPOTrainer(
            model=policy,
            ref_model=reference,
            args=args,
            train_dataset=Dataset.from_list(rows),
            processing_class=tok,
            callbacks=[Measure()],
        )
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)
        trainer.train()
    policy.eval()
    return points, losses


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

    t = time.perf_counter()
    dpo_points, dpo_losses = train_dpo(
        rs.trainable_copy(sft), reference, tok, pairs, p, eval_infos, progress, done + 1
    )
    dpo_eval_s = sum(m["seconds"] for _, m in dpo_points)
    dpo_s = time.perf_counter() - t - dpo_eval_s  # training only: measuring is the lab's

    t = time.perf_counter()
    off = done + 1 + p["dpo_steps"]
    rm_model, rm_tok, rm_info = rs.proxy_reward_model(
        base,
        pairs=p["pairs"],
        length_bias=p["length_bias"],
        seed=p["seed"],
        progress=progress,
        step_offset=off,
    )
    rm_s = time.perf_counter() - t
    policy = rs.trainable_copy(sft)
    cfg = rl.RLConfig(
        algorithm="ppo", steps=p["ppo_steps"], kl_coef=p["kl_coef"], lr=p["ppo_lr"], seed=p["seed"]
    )
    ppo_points: list[tuple[int, dict[str, float]]] = []

    class EvalProgress(Progress):
        """Measures the PPO policy on the same prompts as DPO every ``eval_every`` steps."""

        def tick(self, step=None, metrics=None, samples=None, force=False):
            if step is not None and step > off + n_rm:
                k = step - off - n_rm
                if k % p["eval_every"] == 0 or k == p["ppo_steps"]:
                    m = measure(policy, reference, tok, eval_infos, p["seed"] + k)
                    ppo_points.append((k, m))
                    metrics = {**(metrics or {}), "ppo_gold": m["gold"], "ppo_kl": m["kl"]}
                    policy.train()
            super().tick(step, metrics, samples, force)

    eval_progress = EvalProgress(report, progress.total)
    eval_progress.step, eval_progress.last = progress.step, progress.last
    t = time.perf_counter()
    ppo_run = rl.train_policy(
        policy,
        reference,
        tok,
        rl.reward_model_fn(rm_model, rm_tok),
        rs.rl_prompts(),
        cfg,
        progress=eval_progress,
        step_offset=off + n_rm,
        label="ppo",
        report_keys=("proxy_reward", "kl"),
    )
    ppo_eval_s = sum(m["seconds"] for _, m in ppo_points)
    ppo_s = time.perf_counter() - t - ppo_eval_s

    res = result_shell(base)
    dpo_line = [[0.0, round(start["gold"], 4)]] + [
        [round(max(0.0, m["kl"]) ** 0.5, 4), round(m["gold"], 4)] for _, m in dpo_points
    ]
    ppo_line = [[0.0, round(start["gold"], 4)]] + [
        [round(max(0.0, m["kl"]) ** 0.5, 4), round(m["gold"], 4)] for _, m in ppo_points
    ]
    res["series"]["gold_vs_sqrt_kl"] = {
        "x_label": "sqrt(KL to the SFT model), nats^0.5",
        "y_label": "gold score (fixed prompt set)",
        "lines": {"DPO": dpo_line, "PPO": ppo_line},
    }
    res["series"]["gold_over_training"] = {
        "x_label": "optimiser step (DPO) / PPO step",
        "y_label": "gold score",
        "lines": {
            "DPO": [[0, round(start["gold"], 4)]]
            + [[s, round(m["gold"], 4)] for s, m in dpo_points],
            "PPO": [[0, round(start["gold"], 4)]]
            + [[s, round(m["gold"], 4)] for s, m in ppo_points],
        },
    }
    res["series"]["dpo_loss"] = {
        "x_label": "step",
        "y_label": "DPO loss",
        "lines": {"DPO": [[s, round(v, 4)] for s, v in dpo_losses]},
    }
    dpo_best = max(dpo_points, key=lambda x: x[1]["gold"])[1]
    ppo_best = max(ppo_points, key=lambda x: x[1]["gold"])[1]
    dpo_end, ppo_end = dpo_points[-1][1], ppo_points[-1][1]
    res["tables"].append(
        {
            "title": "DPO vs PPO from the same comparisons",
            "columns": [
                "method",
                "gold_end",
                "kl_end",
                "best_gold",
                "kl_at_best",
                "response_tokens_end",
                "wall_s",
                "includes",
            ],
            "rows": [
                [
                    "SFT (start)",
                    round(start["gold"], 3),
                    0.0,
                    None,
                    None,
                    round(start["length"], 1),
                    None,
                    "",
                ],
                [
                    "DPO",
                    round(dpo_end["gold"], 3),
                    round(dpo_end["kl"], 3),
                    round(dpo_best["gold"], 3),
                    round(dpo_best["kl"], 3),
                    round(dpo_end["length"], 1),
                    round(dpo_s, 2),
                    f"{p['dpo_steps']} DPO steps",
                ],
                [
                    "PPO",
                    round(ppo_end["gold"], 3),
                    round(ppo_end["kl"], 3),
                    round(ppo_best["gold"], 3),
                    round(ppo_best["kl"], 3),
                    round(ppo_end["length"], 1),
                    round(rm_s + ppo_s, 2),
                    f"reward model ({rm_s:.1f} s) + {p['ppo_steps']} PPO steps",
                ],
            ],
        }
    )
    res["samples"] = ppo_run["samples"][-3:]
    diffs = [d - q for d, q in zip(dpo_end["per_prompt"], ppo_end["per_prompt"], strict=True)]
    diff_se = statistics.stdev(diffs) / len(diffs) ** 0.5
    res["headline"] = (
        f"From the same {p['pairs']} comparisons, DPO moved gold from {start['gold']:.2f} to "
        f"{dpo_end['gold']:.2f} at KL {dpo_end['kl']:.2f} nats in {dpo_s:.1f} s; PPO reached "
        f"{ppo_end['gold']:.2f} at KL {ppo_end['kl']:.2f} nats in {rm_s + ppo_s:.1f} s "
        f"(reward model {rm_s:.1f} s + PPO {ppo_s:.1f} s). "
        + (
            f"DPO was {(rm_s + ppo_s) / dpo_s:.1f}x faster"
            if dpo_s < rm_s + ppo_s
            else f"PPO was {dpo_s / (rm_s + ppo_s):.1f}x faster"
        )
        + f"; best gold along the way: DPO {dpo_best['gold']:.2f}, PPO {ppo_best['gold']:.2f}."
        + f" Each gold is measured on {len(eval_infos) * EVAL_SAMPLES} answers to the same "
        f"{len(eval_infos)} prompts: the final golds differ by "
        f"{abs(dpo_end['gold'] - ppo_end['gold']) / diff_se:.1f} standard errors of the "
        f"prompt-by-prompt difference ({diff_se:.3f})."
    )
    res["findings"] = {
        "sft_gold": round(start["gold"], 4),
        "dpo_gold_end": round(dpo_end["gold"], 4),
        "dpo_kl_end": round(dpo_end["kl"], 4),
        "dpo_best_gold": round(dpo_best["gold"], 4),
        "ppo_gold_end": round(ppo_end["gold"], 4),
        "ppo_kl_end": round(ppo_end["kl"], 4),
        "ppo_best_gold": round(ppo_best["gold"], 4),
        "sft_gold_se": round(start["gold_se"], 4),
        "dpo_gold_end_se": round(dpo_end["gold_se"], 4),
        "ppo_gold_end_se": round(ppo_end["gold_se"], 4),
        "gold_end_difference_se": round(diff_se, 4),
        "gold_end_difference_in_se": round((dpo_end["gold"] - ppo_end["gold"]) / diff_se, 3),
        "eval_answers": len(eval_infos) * EVAL_SAMPLES,
        "dpo_wall_s": round(dpo_s, 3),
        "ppo_wall_s": round(rm_s + ppo_s, 3),
        "speedup": round((rm_s + ppo_s) / max(dpo_s, 1e-6), 3),
    }
    res["timings"].update(
        load_s=round(t_setup["load_s"], 3),
        sft_s=round(t_setup["sft_s"], 3),
        dpo_s=round(dpo_s, 3),
        reward_model_s=round(rm_s, 3),
        ppo_s=round(ppo_s, 3),
        eval_s=round(start["seconds"] + dpo_eval_s + ppo_eval_s, 3),
        rl_seconds_per_step=round(ppo_run["seconds_per_step"], 4),
        trainer="trl.DPOTrainer; trl.RewardTrainer + project PPO loop (workers.rl)",
        model_parameters=sum(x.numel() for x in sft.parameters()),
    )
    eval_progress.tick(progress.total, force=True)
    return res


__all__ = ["pct", "run"]
