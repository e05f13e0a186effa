"""Experiment 3: RLHF with PPO. The SFT model is optimised against a learnt reward model with
the project's PPO (value head, GAE, clipped surrogate, per-token KL penalty to the frozen SFT
model); the run reports proxy reward, gold score, KL and response length per step. An
optional second run without the KL penalty shows what the penalty holds back."""

from __future__ import annotations

from typing import Any

from workers import rl
from workers.experiments import rlhf_setup as rs
from workers.experiments.common import result_shell
from workers.runtime import Progress, Report

LIVE_KEYS = (
    "proxy_reward",
    "gold",
    "kl",
    "response_length",
    "refusal_harmful",
    "refusal_borderline",
    "clip_fraction",
    "value_loss",
)
SERIES = (
    ("proxy_reward", "proxy reward"),
    ("gold", "gold score"),
    ("kl", "KL to the SFT model (nats)"),
    ("response_length", "response tokens"),
)
TABLE_COLUMNS = (
    "kl_coef",
    "proxy_start",
    "proxy_end",
    "gold_start",
    "gold_end",
    "kl_end",
    "kl_max",
    "response_tokens_end",
    "seconds_per_step",
)


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    coefs = [p["kl_coef"]] + ([0.0] if p["compare_without_kl"] == "yes" else [])
    coefs = list(dict.fromkeys(coefs))
    n_rm = rs.rm_steps(p["pairs"])
    sft, tok, base, t_setup, progress, done = rs.sft_policy(
        report, p["seed"], n_rm + p["steps"] * len(coefs)
    )
    rm_model, rm_tok, rm_info = rs.proxy_reward_model(
        base,
        pairs=p["pairs"],
        length_bias=p["length_bias"],
        seed=p["seed"],
        progress=progress,
        step_offset=done,
    )
    reward_fn = rl.reward_model_fn(rm_model, rm_tok)
    runs = train_policies(sft, tok, reward_fn, coefs, p, progress, done + n_rm)
    res = summarise(p, coefs, runs, base)
    main = runs[coefs[0]]
    res["timings"].update(
        load_s=round(t_setup["load_s"], 3),
        sft_s=round(t_setup["sft_s"], 3),
        reward_model_s=round(rm_info["seconds"], 3),
        rl_s=round(sum(r["seconds"] for r in runs.values()), 3),
        rl_seconds_per_step=round(main["seconds_per_step"], 4),
        rollout_s=round(main["rollout_s"], 3),
        update_s=round(main["update_s"], 3),
        trainer="project PPO loop (workers.rl); reward model: trl.RewardTrainer",
        model_parameters=sum(x.numel() for x in sft.parameters()),
    )
    progress.tick(progress.total, force=True)
    return res


def ppo_config(p: dict[str, Any], kl_coef: float) -> rl.RLConfig:
    return rs.rl_config(
        p, algorithm="ppo", kl_coef=kl_coef, ppo_epochs=p["ppo_epochs"], clip=p["clip"]
    )


def train_policies(sft, tok, reward_fn, coefs, p, progress: Progress, offset: int):
    """PPO from a copy of the SFT model for every KL coefficient; the first run's metrics
    are live, the second (no KL) reports proxy, gold and KL prefixed ``kl0_``."""
    reference = rl.frozen_copy(sft)
    runs = {}
    for i, coef in enumerate(coefs):
        runs[coef] = rl.train_ppo(
            rs.trainable_copy(sft),
            reference,
            tok,
            reward_fn,
            rs.rl_prompts(),
            ppo_config(p, coef),
            progress=progress,
            step_offset=offset + i * p["steps"],
            prefix="" if i == 0 else f"kl{coef:g}_",
            label=f"ppo kl {coef:g}",
            report_keys=LIVE_KEYS if i == 0 else ("proxy_reward", "gold", "kl"),
        )
    return runs


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def run_summary(history: list[dict[str, float]], w: int) -> dict[str, float]:
    """Start and end of a run (means of its first and last ``w`` steps), its largest
    smoothed KL and final response length."""
    first, last = history[:w], history[-w:]

    def mean(rows, key: str) -> float:
        return sum(x.get(key, 0.0) for x in rows) / len(rows)

    return {
        "proxy_start": mean(first, "proxy_reward"),
        "proxy_end": mean(last, "proxy_reward"),
        "gold_start": mean(first, "gold"),
        "gold_end": mean(last, "gold"),
        "kl_end": mean(last, "kl"),
        "kl_max": max(rs.smooth([x["kl"] for x in history], w)),
        "length_end": mean(last, "response_length"),
    }


def summarise(p, coefs, runs, base) -> dict[str, Any]:
    w = max(3, p["steps"] // 10)
    main = runs[coefs[0]]["history"]
    res = result_shell(base)
    for key, label in SERIES:
        res["series"][key] = {
            "x_label": "PPO step",
            "y_label": f"{label}, mean over the last {w} steps",
            "lines": {f"KL coef {c:g}": rs.step_series(runs[c]["history"], key, w) for c in coefs},
        }
    res["series"]["ppo_diagnostics"] = {
        "x_label": "PPO step",
        "y_label": "clip fraction / value loss",
        "lines": {
            "clip fraction": rs.step_series(main, "clip_fraction"),
            "value loss": rs.step_series(main, "value_loss"),
        },
    }
    summary = {c: run_summary(runs[c]["history"], w) for c in coefs}
    res["tables"].append(
        {
            "title": f"PPO after {p['steps']} steps (start and end: mean of {w} steps)",
            "columns": list(TABLE_COLUMNS),
            "rows": [
                [c]
                + [round(v, 3) for v in summary[c].values()]
                + [round(runs[c]["seconds_per_step"], 3)]
                for c in coefs
            ],
        }
    )
    samples = runs[coefs[0]]["samples"]
    res["samples"] = samples[:3] + samples[-3:]
    res["headline"] = headline(p, coefs, summary)
    res["findings"] = {k: round(v, 4) for k, v in summary[coefs[0]].items()}
    if len(coefs) > 1:
        res["findings"].update({f"{k}_no_kl": round(v, 4) for k, v in summary[coefs[1]].items()})
    return res


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(p, coefs, summary) -> str:
    s = summary[coefs[0]]
    text = (
        f"PPO with KL coefficient {coefs[0]:g} raised the proxy reward from "
        f"{s['proxy_start']:.2f} to {s['proxy_end']:.2f} in {p['steps']} steps; gold went from "
        f"{s['gold_start']:.2f} to {s['gold_end']:.2f} and the KL to the SFT model ended at "
        f"{s['kl_end']:.2f} nats (at most {s['kl_max']:.2f})."
    )
    if len(coefs) > 1:
        z = summary[coefs[1]]
        text += (
            f" Without the penalty the KL reached {z['kl_end']:.2f} nats, proxy "
            f"{z['proxy_end']:.2f}, gold {z['gold_end']:.2f}."
        )
    return text
