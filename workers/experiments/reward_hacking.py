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
from workers.runtime import Progress, Report

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
SWEEP_COLUMNS = (
    "kl_coef",
    "proxy_reward",
    "gold",
    "peak_gold",
    "kl",
    "response_tokens",
    "refusal_harmful",
    "refusal_borderline",
    "refusal_howto",
)


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    coefs = sweep_values(p)
    n_rm = rs.rm_steps(p["pairs"], RM_EPOCHS)
    sft, tok, base, t_setup, progress, done = rs.sft_policy(
        report, p["seed"], n_rm + p["steps"] * len(coefs), steps=p["sft_steps"]
    )
    reward_fn, proxy_s = train_proxy(sft, tok, base, p, progress, done)
    t = time.perf_counter()
    start = rs.start_scores(
        sft, tok, reward_fn, seed=p["seed"], max_new_tokens=p["max_new_tokens"], progress=progress
    )
    t_start = time.perf_counter() - t
    runs = train_policies(sft, tok, reward_fn, coefs, p, progress, done + n_rm)
    res = summarise(p, coefs, runs, base, start)
    res["timings"].update(
        load_s=round(t_setup["load_s"], 3),
        sft_s=round(t_setup["sft_s"], 3),
        policy_samples_s=round(proxy_s["policy_samples"], 3),
        start_evaluation_s=round(t_start, 3),
        reward_model_s=round(proxy_s["reward_model"], 3),
        rl_s=round(sum(r["seconds"] for r in runs.values()), 3),
        rl_seconds_per_step=round(runs[coefs[0]]["seconds_per_step"], 4),
        trainer="project RLOO loop (workers.rl); reward model: trl.RewardTrainer",
        model_parameters=sum(x.numel() for x in sft.parameters()),
    )
    progress.tick(progress.total, force=True)
    return res


def sweep_values(p: dict[str, Any]) -> list[float]:
    values = [p["kl_coef"]]
    if p["sweep"] != "none":
        values += [float(v) for v in p["sweep"].split(",")]
    return list(dict.fromkeys(values))


def window(steps: int) -> int:
    return max(3, steps // 10)


# ---------------------------------------------------------------------------------------
# Training: the proxy, then one RLOO run per KL coefficient
# ---------------------------------------------------------------------------------------
def train_proxy(sft, tok, base, p, progress: Progress, done: int):
    """The annotators label the world's responses and ``policy_samples`` answers per prompt
    from the SFT policy; a reward model learns from their comparisons, balanced over the
    prompt groups. Returns (reward function, seconds of each part)."""
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
    seconds = {"policy_samples": t_pool, "reward_model": rm_info["seconds"]}
    return rl.reward_model_fn(rm_model, rm_tok), seconds


def train_policies(sft, tok, reward_fn, coefs, p, progress: Progress, offset: int):
    """RLOO from a copy of the SFT policy for every KL coefficient; the first is the main
    run (its metrics live), the others report proxy, gold and KL prefixed ``kl<coef>_``.
    Returns {coef: run}."""
    reference = rl.frozen_copy(sft)
    runs: dict[float, dict[str, Any]] = {}
    for i, coef in enumerate(coefs):
        main = i == 0
        runs[coef] = rl.train_rloo(
            rs.trainable_copy(sft),
            reference,
            tok,
            reward_fn,
            rs.rl_prompts(),
            rs.rl_config(p, kl_coef=coef, algorithm="rloo"),
            progress=progress,
            step_offset=offset + i * p["steps"],
            prefix="" if main else f"kl{coef:g}_",
            label=f"rloo kl {coef:g}",
            report_keys=LIVE_KEYS if main else SWEEP_KEYS,
        )
    return runs


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def main_curve(history: list[dict[str, float]], start: dict[str, Any], w: int) -> dict:
    """The main run's smoothed gold, proxy and KL, d = sqrt(KL), the gold peak (from the
    first full window on) and the fit of gold, relative to the start (``start_scores``: the
    SFT policy before the first update, R(0) = 0), against d."""
    gold = rs.smooth([h["gold"] for h in history], w)
    proxy = rs.smooth([h["proxy_reward"] for h in history], w)
    kl = rs.smooth([h["kl"] for h in history], w)
    first = w - 1  # the first point that averages a full window
    d = [math.sqrt(max(0.0, x)) for x in kl]
    ys = [g - start["gold"] for g in gold[first:]]
    a, b = rl.fit_gao_curve(d[first:], ys)
    return {
        "gold": gold,
        "proxy": proxy,
        "kl": kl,
        "d": d,
        "first": first,
        "peak": max(range(first, len(gold)), key=lambda i: gold[i]),
        "a": a,
        "b": b,
        "r2": rl.fit_r_squared(a, b, d[first:], ys),
    }


def summarise(p, coefs, runs, base, start: dict[str, Any]) -> dict[str, Any]:
    w = window(p["steps"])
    curve = main_curve(runs[coefs[0]]["history"], start, w)
    rows = sweep_rows(coefs, runs, w, curve["first"])
    res = result_shell(base)
    res["series"]["reward_over_steps"] = reward_over_steps(curve, start, w)
    res["series"]["gold_vs_sqrt_kl"] = gold_vs_sqrt_kl(curve, start, coefs, runs, w)
    res["series"]["kl_over_steps"] = over_steps(
        coefs, runs, "kl", "KL to the SFT model (nats, summed over the response)", w
    )
    res["series"]["response_length"] = over_steps(
        coefs, runs, "response_length", "response tokens", w
    )
    res["tables"].append(
        {
            "title": f"KL-coefficient sweep after {p['steps']} steps (mean of the last {w})",
            "columns": list(SWEEP_COLUMNS),
            "rows": rows,
        }
    )
    res["tables"].append(fit_table(curve, coefs[0]))
    res["samples"] = exploit_samples(coefs, runs)
    res["headline"] = headline(p, coefs[0], curve, rows, start)
    res["findings"] = findings(curve, rows, start)
    return res


def sweep_rows(coefs, runs, w: int, first: int) -> list[list]:
    """Per KL coefficient, the means of the last ``w`` steps and the smoothed gold peak."""
    rows = []
    for c in coefs:
        h = runs[c]["history"]
        last = h[-w:]

        def mean(key: str, last=last) -> float:
            return sum(x.get(key, 0.0) for x in last) / len(last)

        peak = max(rs.smooth([x["gold"] for x in h], w)[first:])
        rows.append(
            [
                c,
                round(mean("proxy_reward"), 3),
                round(mean("gold"), 3),
                round(peak, 3),
                round(mean("kl"), 3),
                round(mean("response_length"), 1),
                *(round(mean(f"refusal_{f}"), 3) for f in ("harmful", "borderline", "howto")),
            ]
        )
    return rows


def fit_table(curve, main_coef: float) -> dict[str, Any]:
    a, b = curve["a"], curve["b"]
    peak_d = round(math.exp(a / b - 1), 3) if b > 0 else None
    return {
        "title": "Gold against d = sqrt(KL), fitted R(d) = d (a - b log d) (KL coef "
        f"{main_coef:g}, gold relative to its start)",
        "columns": ["a", "b", "r_squared", "peak_d"],
        "rows": [[round(a, 4), round(b, 4), round(curve["r2"], 4), peak_d]],
    }


def reward_over_steps(curve, start, w: int) -> dict[str, Any]:
    first = curve["first"]

    def line(y0: float, values: list[float]) -> list[list]:
        return [[0, round(y0, 4)]] + [[i + 1, round(v, 4)] for i, v in enumerate(values)][first:]

    return {
        "x_label": "RL step (0: the SFT model before RL)",
        "y_label": f"score, mean of the last {w} steps",
        "lines": {
            "proxy reward (reward model)": line(start["proxy"], curve["proxy"]),
            "gold score (true preference)": line(start["gold"], curve["gold"]),
        },
    }


def over_steps(coefs, runs, key: str, y_label: str, w: int) -> dict[str, Any]:
    return {
        "x_label": "RL step",
        "y_label": y_label,
        "lines": {f"KL coef {c:g}": rs.step_series(runs[c]["history"], key, w) for c in coefs},
    }


def gold_vs_sqrt_kl(curve, start, coefs, runs, w: int) -> dict[str, Any]:
    first, d, gold0 = curve["first"], curve["d"], start["gold"]

    def gold_line(c: float) -> list[list]:
        h = runs[c]["history"]
        kl = rs.smooth([x["kl"] for x in h], w)
        gold = rs.smooth([x["gold"] for x in h], w)
        points = [
            [round(math.sqrt(max(0.0, k)), 4), round(g, 4)] for k, g in zip(kl, gold, strict=True)
        ]
        return [[0.0, round(gold0, 4)]] + points[first:]

    proxy = [[round(x, 4), round(y, 4)] for x, y in zip(d, curve["proxy"], strict=True)]
    fitted = [
        [round(x, 4), round(gold0 + rl.gao_curve(curve["a"], curve["b"], x), 4)]
        for x in [0.0, *sorted(d[first:])]
    ]
    return {
        "x_label": "sqrt(KL to the SFT model), nats^0.5",
        "y_label": "score",
        "lines": {
            **{f"gold, KL coef {c:g}": gold_line(c) for c in coefs},
            f"proxy, KL coef {coefs[0]:g}": [[0.0, round(start["proxy"], 4)]] + proxy[first:],
            "fitted gold R(d) = d(a - b log d)": fitted,
        },
    }


def exploit_samples(coefs, runs) -> list[dict]:
    """The main run's first step, then its exploit (the largest proxy-gold gaps of its last
    20 steps); two samples of each sweep run's last step."""
    main = runs[coefs[0]]["samples"]

    def step(s: dict) -> int:
        return int(s["model"].rsplit(" ", 1)[1])

    end_step = max(step(s) for s in main)
    late = sorted(
        (s for s in main if step(s) >= end_step - 20), key=lambda s: s["gold"] - s["proxy"]
    )
    out = [s for s in main if s["model"].endswith("step 1")] + late[:4]
    for c in coefs[1:]:
        out += [s for s in runs[c]["samples"] if s["model"].endswith(f"{end_step}")][:2]
    return out


def findings(curve, rows, start) -> dict[str, Any]:
    gold, proxy, peak = curve["gold"], curve["proxy"], curve["peak"]
    agreement = start["agreement"]
    return {
        "proxy_start": round(start["proxy"], 4),
        "proxy_end": round(proxy[-1], 4),
        "proxy_max": round(max(proxy[curve["first"] :]), 4),
        "gold_start": round(start["gold"], 4),
        "proxy_agreement_at_start": None if agreement is None else round(agreement, 4),
        "gold_peak": round(gold[peak], 4),
        "gold_peak_step": peak + 1,
        "proxy_at_gold_peak": round(proxy[peak], 4),
        "gold_end": round(gold[-1], 4),
        "kl_end": round(curve["kl"][-1], 4),
        "length_end": rows[0][5],
        "fit_a": round(curve["a"], 4),
        "fit_b": round(curve["b"], 4),
        "fit_r_squared": round(curve["r2"], 4),
        **{f"gold_end_kl{r[0]:g}": r[2] for r in rows},
        **{f"proxy_end_kl{r[0]:g}": r[1] for r in rows},
        **{f"kl_end_kl{r[0]:g}": r[4] for r in rows},
    }


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(p, main_coef: float, curve, rows, start) -> str:
    gold, peak = curve["gold"], curve["peak"]
    sweep = "; ".join(
        f"KL coef {r[0]:g}: gold {r[2]:.2f}, proxy {r[1]:.2f}, KL {r[4]:.1f}" for r in rows[1:]
    )
    text = (
        f"With KL coefficient {main_coef:g}, the proxy reward rose from {start['proxy']:.2f} to "
        f"{curve['proxy'][-1]:.2f} over {p['steps']} steps while the gold score went from "
        f"{start['gold']:.2f} to a peak of {gold[peak]:.2f} (step {peak + 1}) and then down to "
        f"{gold[-1]:.2f}, as responses grew to {rows[0][5]:.0f} tokens and drifted "
        f"{curve['kl'][-1]:.1f} nats from the SFT model. Gold against d = sqrt(KL) fits "
        f"R(d) = d({curve['a']:.2f} - {curve['b']:.2f} log d) (R^2 {curve['r2']:.2f})."
        + (f" Sweep: {sweep}." if sweep else "")
    )
    if start["agreement"] is not None:
        text += (
            f" Before RL the proxy ordered {start['agreement']:.0%} of {start['pairs']} pairs of "
            "the SFT model's own answers as the gold score does."
        )
    return text
