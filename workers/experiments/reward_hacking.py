"""Experiment 4: reward hacking (Goodhart). RLOO against a proxy reward model learnt from
annotators who like long answers: without a KL penalty the proxy keeps rising while the
gold score rises, peaks and falls; gold against sqrt(KL) follows R(d) = d (a - b log d)
(Gao, Schulman and Hilton 2022); a KL-coefficient sweep shows what the penalty buys."""

from __future__ import annotations

import math
import time
from typing import Any

from workers import rl
from workers.experiments import rlhf_setup as rs
from workers.experiments.common import result_shell
from workers.runtime import Report

# The proxy: comparisons spread over the prompt groups, 4 epochs at lr 1e-3. With TRL's
# 3e-4, 2 epochs and prompts drawn from all prompts (harmful ones outnumber borderline ones
# 18 to 1) the tiny reward model preferred refusals to the right answers of borderline and
# how-to requests, so from the first step the policy learnt to refuse them and gold rose at
# most +0.04-0.07 before it fell.
RM_EPOCHS = 4
RM_LR = 1e-3

LIVE_KEYS = (
    "proxy_reward",
    "gold",
    "kl",
    "response_length",
    "refusal_harmful",
    "refusal_borderline",
)
SWEEP_KEYS = ("proxy_reward", "gold", "kl")


def sweep_values(p: dict[str, Any]) -> list[float]:
    values = [p["kl_coef"]]
    if p["sweep"] != "none":
        values += [float(v) for v in p["sweep"].split(",")]
    return list(dict.fromkeys(values))


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    coefs = sweep_values(p)
    n_rm = rs.rm_steps(p["pairs"], RM_EPOCHS)
    sft, tok, base, t_setup, progress, done = rs.sft_policy(
        report, p["seed"], n_rm + p["steps"] * len(coefs), steps=p["sft_steps"]
    )
    total = progress.total
    t = time.perf_counter()
    pool = rs.labelled_pool(
        sft,
        tok,
        per_prompt=p["policy_samples"],
        seed=p["seed"],
        max_new_tokens=p["max_new_tokens"],
        progress=progress,
    )
    t_pool = time.perf_counter() - t
    rm_model, rm_tok, rm_info = rs.proxy_reward_model(
        base,
        pairs=p["pairs"],
        length_bias=p["length_bias"],
        seed=p["seed"],
        progress=progress,
        step_offset=done,
        balanced=True,
        lr=RM_LR,
        epochs=RM_EPOCHS,
        pool=pool,
    )
    reward_fn = rl.reward_model_fn(rm_model, rm_tok)
    t = time.perf_counter()
    start = rs.start_scores(
        sft, tok, reward_fn, seed=p["seed"], max_new_tokens=p["max_new_tokens"], progress=progress
    )
    t_start = time.perf_counter() - t
    reference = rl.frozen_copy(sft)
    prompts = rs.rl_prompts()
    runs: dict[float, dict[str, Any]] = {}
    offset = done + n_rm
    for i, coef in enumerate(coefs):
        policy = rs.trainable_copy(sft)
        main = i == 0
        runs[coef] = rl.train_policy(
            policy,
            reference,
            tok,
            reward_fn,
            prompts,
            rs.rl_config(p, kl_coef=coef, algorithm="rloo"),
            progress=progress,
            step_offset=offset,
            prefix="" if main else f"kl{coef:g}_",
            label=f"rloo kl {coef:g}",
            report_keys=LIVE_KEYS if main else SWEEP_KEYS,
        )
        offset += p["steps"]
    res = summarise(p, coefs, runs, base, start)
    res["timings"].update(
        load_s=round(t_setup["load_s"], 3),
        sft_s=round(t_setup["sft_s"], 3),
        policy_samples_s=round(t_pool, 3),
        start_evaluation_s=round(t_start, 3),
        reward_model_s=round(rm_info["seconds"], 3),
        rl_s=round(sum(r["seconds"] for r in runs.values()), 3),
        rl_seconds_per_step=round(runs[coefs[0]]["seconds_per_step"], 4),
        trainer="project RLOO loop (workers.rl); reward model: trl.RewardTrainer",
        model_parameters=sum(x.numel() for x in sft.parameters()),
    )
    progress.tick(total, force=True)
    return res


def window(steps: int) -> int:
    return max(3, steps // 10)


def summarise(p, coefs, runs, base, start: dict[str, Any]) -> dict[str, Any]:
    """``start``: gold and proxy of the SFT policy before the first update
    (``rlhf_setup.start_scores``); the rise, the fall and the fitted curve are measured
    from it (R(0) = 0 at the SFT policy)."""
    w = window(p["steps"])
    main_coef = coefs[0]
    hist = runs[main_coef]["history"]
    gold = rs.smooth([h["gold"] for h in hist], w)
    proxy = rs.smooth([h["proxy_reward"] for h in hist], w)
    kl = rs.smooth([h["kl"] for h in hist], w)
    first = w - 1  # the first point that averages a full window
    peak_i = max(range(first, len(gold)), key=lambda i: gold[i])
    gold0, proxy0 = start["gold"], start["proxy"]
    d = [math.sqrt(max(0.0, x)) for x in kl]
    a, b = rl.fit_gao_curve(d[first:], [g - gold0 for g in gold[first:]])
    r2 = fit_r_squared(a, b, d[first:], [g - gold0 for g in gold[first:]])

    res = result_shell(base)
    res["series"]["reward_over_steps"] = {
        "x_label": "RL step (0: the SFT model before RL)",
        "y_label": f"score, mean of the last {w} steps",
        "lines": {
            "proxy reward (reward model)": [[0, round(proxy0, 4)]]
            + [[i + 1, round(v, 4)] for i, v in enumerate(proxy)][first:],
            "gold score (true preference)": [[0, round(gold0, 4)]]
            + [[i + 1, round(v, 4)] for i, v in enumerate(gold)][first:],
        },
    }
    res["series"]["gold_vs_sqrt_kl"] = {
        "x_label": "sqrt(KL to the SFT model), nats^0.5",
        "y_label": "score",
        "lines": {
            **{
                f"gold, KL coef {c:g}": [[0.0, round(gold0, 4)]]
                + [
                    [round(math.sqrt(max(0.0, k)), 4), round(g, 4)]
                    for k, g in zip(
                        rs.smooth([h["kl"] for h in runs[c]["history"]], w),
                        rs.smooth([h["gold"] for h in runs[c]["history"]], w),
                        strict=True,
                    )
                ][first:]
                for c in coefs
            },
            f"proxy, KL coef {main_coef:g}": [[0.0, round(proxy0, 4)]]
            + [[round(x, 4), round(y, 4)] for x, y in zip(d, proxy, strict=True)][first:],
            "fitted gold R(d) = d(a - b log d)": [
                [round(x, 4), round(gold0 + rl.gao_curve(a, b, x), 4)]
                for x in [0.0, *sorted(d[first:])]
            ],
        },
    }
    res["series"]["kl_over_steps"] = {
        "x_label": "RL step",
        "y_label": "KL to the SFT model (nats, summed over the response)",
        "lines": {f"KL coef {c:g}": rs.step_series(runs[c]["history"], "kl", w) for c in coefs},
    }
    res["series"]["response_length"] = {
        "x_label": "RL step",
        "y_label": "response tokens",
        "lines": {
            f"KL coef {c:g}": rs.step_series(runs[c]["history"], "response_length", w)
            for c in coefs
        },
    }
    rows = []
    for c in coefs:
        h = runs[c]["history"]
        g = rs.smooth([x["gold"] for x in h], w)
        last = h[-w:]

        def mean(key: str, last=last) -> float:
            return sum(x.get(key, 0.0) for x in last) / len(last)

        rows.append(
            [
                c,
                round(mean("proxy_reward"), 3),
                round(mean("gold"), 3),
                round(max(g[first:]), 3),
                round(mean("kl"), 3),
                round(mean("response_length"), 1),
                round(mean("refusal_harmful"), 3),
                round(mean("refusal_borderline"), 3),
                round(mean("refusal_howto"), 3),
            ]
        )
    res["tables"].append(
        {
            "title": f"KL-coefficient sweep after {p['steps']} steps (mean of the last {w})",
            "columns": [
                "kl_coef",
                "proxy_reward",
                "gold",
                "peak_gold",
                "kl",
                "response_tokens",
                "refusal_harmful",
                "refusal_borderline",
                "refusal_howto",
            ],
            "rows": rows,
        }
    )
    res["tables"].append(
        {
            "title": "Gold against d = sqrt(KL), fitted R(d) = d (a - b log d) (KL coef "
            f"{main_coef:g}, gold relative to its start)",
            "columns": ["a", "b", "r_squared", "peak_d"],
            "rows": [
                [
                    round(a, 4),
                    round(b, 4),
                    round(r2, 4),
                    round(math.exp(a / b - 1), 3) if b > 0 else None,
                ]
            ],
        }
    )
    # samples: the start, then the exploit (largest proxy-gold gap at the end)
    main_samples = runs[main_coef]["samples"]
    first_samples = [s for s in main_samples if s["model"].endswith("step 1")]
    end_step = max(int(s["model"].rsplit(" ", 1)[1]) for s in main_samples)
    late = [s for s in main_samples if int(s["model"].rsplit(" ", 1)[1]) >= end_step - 20]
    late.sort(key=lambda s: s["gold"] - s["proxy"])
    res["samples"] = first_samples + late[:4]
    for c in coefs[1:]:
        res["samples"] += [s for s in runs[c]["samples"] if s["model"].endswith(f"{end_step}")][:2]

    peak_step = peak_i + 1
    gold_end, proxy_end, kl_end = gold[-1], proxy[-1], kl[-1]
    sweep_bits = "; ".join(
        f"KL coef {r[0]:g}: gold {r[2]:.2f}, proxy {r[1]:.2f}, KL {r[4]:.1f}" for r in rows[1:]
    )
    res["headline"] = (
        f"With KL coefficient {main_coef:g}, the proxy reward rose from {proxy0:.2f} to "
        f"{proxy_end:.2f} over {p['steps']} steps while the gold score went from {gold0:.2f} "
        f"to a peak of {gold[peak_i]:.2f} (step {peak_step}) and then down to {gold_end:.2f}, "
        f"as responses grew to {rows[0][5]:.0f} tokens and drifted {kl_end:.1f} nats from the "
        f"SFT model. Gold against d = sqrt(KL) fits R(d) = d({a:.2f} - {b:.2f} log d) "
        f"(R^2 {r2:.2f})." + (f" Sweep: {sweep_bits}." if sweep_bits else "")
    )
    if start["agreement"] is not None:
        res["headline"] += (
            f" Before RL the proxy ordered {start['agreement']:.0%} of {start['pairs']} pairs of "
            "the SFT model's own answers as the gold score does."
        )
    res["findings"] = {
        "proxy_start": round(proxy0, 4),
        "proxy_end": round(proxy_end, 4),
        "proxy_max": round(max(proxy[first:]), 4),
        "gold_start": round(gold0, 4),
        "proxy_agreement_at_start": (
            None if start["agreement"] is None else round(start["agreement"], 4)
        ),
        "gold_peak": round(gold[peak_i], 4),
        "gold_peak_step": peak_step,
        "proxy_at_gold_peak": round(proxy[peak_i], 4),
        "gold_end": round(gold_end, 4),
        "kl_end": round(kl_end, 4),
        "length_end": rows[0][5],
        "fit_a": round(a, 4),
        "fit_b": round(b, 4),
        "fit_r_squared": round(r2, 4),
        **{f"gold_end_kl{r[0]:g}": r[2] for r in rows},
        **{f"proxy_end_kl{r[0]:g}": r[1] for r in rows},
        **{f"kl_end_kl{r[0]:g}": r[4] for r in rows},
    }
    return res


def fit_r_squared(a: float, b: float, ds: list[float], ys: list[float]) -> float:
    """Share of the variance of ``ys`` that the fitted ``R(d)`` explains."""
    if not ys:
        return 0.0
    mean = sum(ys) / len(ys)
    total = sum((y - mean) ** 2 for y in ys)
    resid = sum((y - rl.gao_curve(a, b, d)) ** 2 for d, y in zip(ds, ys, strict=True))
    return 1 - resid / total if total > 0 else 0.0


__all__ = ["fit_r_squared", "run", "summarise", "time"]
