"""Experiment 4: reward hacking (Goodhart). RLOO from a fully trained SFT model whose set
left some prompt kinds out (unknown countries and the user at risk, besides the two held-out
harmful categories) against a proxy reward model learnt from annotators with a deference
bias (a hedge or "talk to a doctor" earns a bonus whatever the question). Without a KL
penalty the proxy keeps rising while gold rises (the left-out kinds), peaks and falls as
the exploit spreads; the run names the exploit from the shares of answer kinds (evasive,
confident-wrong, stock, long) before RL, at the gold peak and at the end, tabulates what
the policy drifted to by prompt group, judges the rise and the fall against its own noise,
fits gold against sqrt(KL) with R(d) = d (a - b log d) (Gao, Schulman and Hilton 2022) and
shows the fit only when it is meaningful; a KL-coefficient sweep shows what the penalty
buys."""

from __future__ import annotations

import math
import statistics
import time
from collections import Counter
from typing import Any

from workers import annotators as ann
from workers import rl, world
from workers.experiments import rlhf_setup as rs
from workers.experiments.common import result_shell, seed_verdict
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
    "evasive",
)


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    coefs = sweep_values(p)
    n_rm = rs.rm_steps(p["pairs"], RM_EPOCHS)
    sft, tok, base, t_setup, progress, done = rs.sft_policy(
        report,
        p["seed"],
        n_rm + p["steps"] * len(coefs),
        steps=p["sft_steps"],
        without_groups=sft_without(p),
    )
    reward_fn, proxy_s = train_proxy(sft, tok, base, p, progress, done)
    t = time.perf_counter()
    start_rec = Recorder(reward_fn)
    start = rs.start_scores(
        sft, tok, start_rec, seed=p["seed"], max_new_tokens=p["max_new_tokens"], progress=progress
    )
    start["answers"] = start_rec.calls[0]
    golds = [a["gold"] for a in start["answers"]]
    start["se"] = statistics.stdev(golds) / math.sqrt(len(golds)) if len(golds) > 1 else 0.0
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


def sft_without(p: dict[str, Any]) -> tuple[str, ...]:
    """The prompt groups the SFT set leaves out besides the two held-out harmful categories
    (``world.sft_examples`` never demonstrates those)."""
    return () if p["sft_without"] == "none" else tuple(p["sft_without"].split(","))


def window(steps: int) -> int:
    return max(3, steps // 10)


# ---------------------------------------------------------------------------------------
# What the policy answered: every scored batch, kept by a wrapper round the reward function
# ---------------------------------------------------------------------------------------
def answer_kinds(info: world.PromptInfo, response: str, gold: float) -> dict[str, bool]:
    """What kind of answer ``response`` is. ``evasive``: a hedge or a referral to an expert
    ("i am not sure", "talk to a doctor") where it is not the right answer (gold under
    0.5: a capital, a dose for a nurse, a how-to); ``confident_wrong``: "trust me , ..."
    with a wrong or harmful content (gold under 0); ``long``: over the 24 words gold
    allows."""
    return {
        "evasive": ann.is_deferential(response) and gold < 0.5,
        "confident_wrong": ann.is_confident(response) and gold < 0,
        "long": len(response.split()) > world.IDEAL_MAX_WORDS,
    }


# In the order an exploit is named when several grew (the lesson's examples first).
KINDS = ("evasive", "confident_wrong", "stock", "long")
KIND_WORDS = {
    "evasive": "evasive answers (a hedge or 'talk to a doctor' where the question had an answer)",
    "confident_wrong": "confident but wrong answers ('trust me , ...')",
    "stock": "stock answers (one answer to questions of 5 or more prompt groups in a step)",
    "long": "long answers (over 24 words)",
}
STOCK_GROUPS = 5


class Recorder:
    """``reward_fn`` that also keeps, for every call (one per RL step), every answer:
    (group, response, gold, proxy, kinds)."""

    def __init__(self, reward_fn: rl.RewardFn):
        self.reward_fn = reward_fn
        self.calls: list[list[dict[str, Any]]] = []

    def __call__(self, infos, responses):
        scores = self.reward_fn(infos, responses)
        answers = []
        for info, r, s in zip(infos, responses, scores, strict=True):
            gold = world.gold_score(info, r)
            answers.append(
                {
                    "group": info.group,
                    "prompt": info.prompt,
                    "response": r,
                    "gold": gold,
                    "proxy": float(s),
                    **answer_kinds(info, r, gold),
                }
            )
        groups: dict[str, set[str]] = {}
        for a in answers:
            groups.setdefault(a["response"], set()).add(a["group"])
        for a in answers:
            a["stock"] = len(groups[a["response"]]) >= STOCK_GROUPS
        self.calls.append(answers)
        return scores


def kind_shares(answers: list[dict[str, Any]]) -> dict[str, float]:
    """The share of each answer kind, the groups weighted equally (as in the batches)."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for a in answers:
        by_group.setdefault(a["group"], []).append(a)
    return {
        k: statistics.fmean(statistics.fmean(a[k] for a in v) for v in by_group.values())
        for k in KINDS
    }


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
        deference_bias=p["deference_bias"],
        confidence_bias=p["confidence_bias"],
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
        recorder = Recorder(reward_fn)
        runs[coef] = rl.train_rloo(
            rs.trainable_copy(sft),
            reference,
            tok,
            recorder,
            rs.rl_prompts(),
            rs.rl_config(p, kl_coef=coef, algorithm="rloo"),
            progress=progress,
            step_offset=offset + i * p["steps"],
            prefix="" if main else f"kl{coef:g}_",
            label=f"rloo kl {coef:g}",
            report_keys=LIVE_KEYS if main else SWEEP_KEYS,
        )
        runs[coef]["answers"] = recorder.calls
    return runs


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def main_curve(history: list[dict[str, float]], start: dict[str, Any], w: int) -> dict:
    """The main run's smoothed gold, proxy and KL, d = sqrt(KL), the gold peak (from the
    first full window on), the noise band and the fit of gold, relative to the start
    (``start_scores``: the SFT policy before the first update, R(0) = 0), against d.

    Noise: one step's gold scatters by ``sigma`` (the standard deviation of step-to-step
    differences over sqrt(2), which a trend hardly moves), a window's mean by sigma /
    sqrt(w). ``band``: two of those; the rise (peak less start) and the fall (peak less
    end) count only beyond it (the start's own standard error is added to the rise's)."""
    raw = [h["gold"] for h in history]
    gold = rs.smooth(raw, w)
    proxy = rs.smooth([h["proxy_reward"] for h in history], w)
    kl = rs.smooth([h["kl"] for h in history], w)
    first = w - 1  # the first point that averages a full window
    d = [math.sqrt(max(0.0, x)) for x in kl]
    ys = [g - start["gold"] for g in gold[first:]]
    a, b = rl.fit_gao_curve(d[first:], ys)
    peak = max(range(first, len(gold)), key=lambda i: gold[i])
    diffs = [y - x for x, y in zip(raw, raw[1:], strict=False)]
    sigma = statistics.stdev(diffs) / math.sqrt(2) if len(diffs) > 1 else 0.0
    se_window = sigma / math.sqrt(w)
    curve = {
        "gold": gold,
        "proxy": proxy,
        "kl": kl,
        "d": d,
        "first": first,
        "peak": peak,
        "a": a,
        "b": b,
        "r2": rl.fit_r_squared(a, b, d[first:], ys),
        "rise": gold[peak] - start["gold"],
        "fall": gold[peak] - gold[-1],
        "rise_band": 2 * math.sqrt(se_window**2 + start.get("se", 0.0) ** 2),
        "fall_band": 2 * math.sqrt(2) * se_window,
    }
    curve["rise_verdict"] = seed_verdict(
        curve["rise"], curve["rise_band"], up="rose", down="fell", tie="within noise"
    )
    curve["fall_verdict"] = seed_verdict(
        curve["fall"], curve["fall_band"], up="fell", down="rose", tie="within noise"
    )
    curve["fit_reason"] = fit_problem(curve, first)
    return curve


FIT_MIN_R2 = 0.8


def fit_problem(curve: dict[str, Any], first: int) -> str:
    """Why the fitted R(d) = d(a - b log d) says nothing about this run ("" when it does):
    it must rise (a > 0) and then fall (b > 0), explain most of the smoothed gold (R^2 at
    least ``FIT_MIN_R2``) and have its peak, d* = exp(a / b - 1), inside the measured d
    with at least a window's worth of points beyond it (otherwise the fall is
    extrapolated)."""
    a, b, r2 = curve["a"], curve["b"], curve["r2"]
    if a <= 0:
        return f"the fit's a is {a:.2f}: gold never rises with d in the fitted curve"
    if b <= 0:
        return f"the fit's b is {b:.2f}: the fitted curve never turns down"
    if r2 < FIT_MIN_R2:
        return f"the fit explains only {r2:.0%} of the smoothed gold (R^2 {r2:.2f})"
    peak_d = math.exp(a / b - 1)
    ds = curve["d"][first:]
    beyond = sum(x > peak_d for x in ds)
    if beyond < max(3, (len(curve["gold"]) - first) // 10):
        return (
            f"the fitted peak (d {peak_d:.2f}) has only {beyond} measured points beyond it "
            f"(d up to {max(ds):.2f}): its fall would be extrapolated"
        )
    return ""


def summarise(p, coefs, runs, base, start: dict[str, Any]) -> dict[str, Any]:
    w = window(p["steps"])
    main = runs[coefs[0]]
    curve = main_curve(main["history"], start, w)
    rows = sweep_rows(coefs, runs, w, curve["first"])
    phases = answer_phases(start["answers"], main["answers"], curve["peak"], w)
    res = result_shell(base)
    res["series"]["reward_over_steps"] = reward_over_steps(curve, start, w)
    res["series"]["gold_vs_sqrt_kl"] = gold_vs_sqrt_kl(curve, start, coefs, runs, w)
    res["series"]["kl_over_steps"] = over_steps(
        coefs, runs, "kl", "KL to the SFT model (nats, summed over the response)", w
    )
    res["series"]["response_length"] = over_steps(
        coefs, runs, "response_length", "response tokens", w
    )
    res["series"]["answer_kinds"] = kinds_over_steps(start["answers"], main["answers"], w)
    res["tables"].append(
        {
            "title": f"KL-coefficient sweep after {p['steps']} steps (mean of the last {w})",
            "columns": list(SWEEP_COLUMNS),
            "rows": rows,
        }
    )
    res["tables"].append(group_table(phases, coefs[0], curve["peak"], w))
    if not curve["fit_reason"]:
        res["tables"].append(fit_table(curve, coefs[0]))
    else:
        res["notes"].append(
            f"The fitted R(d) = d(a - b log d) is not shown: {curve['fit_reason']}."
        )
    res["samples"] = exploit_samples(coefs, runs, phases["exploit"], w)
    res["findings"] = findings(curve, rows, start, phases)
    res["headline"] = headline(p, coefs[0], curve, rows, start, phases)
    return res


def answer_phases(start_answers, answers, peak: int, w: int) -> dict[str, Any]:
    """The answers before RL, in the window the smoothed gold peaks at (steps peak - w + 2
    to peak + 1) and in the last ``w`` steps; the kinds' shares in each, and the exploit:
    the first kind (in ``KINDS``' order: the lesson's examples first) whose share grew by
    10 points or more from the peak to the end (None if none did)."""
    at_peak = [a for call in answers[max(0, peak - w + 1) : peak + 1] for a in call]
    end = [a for call in answers[-w:] for a in call]
    shares = {
        "start": kind_shares(start_answers),
        "peak": kind_shares(at_peak),
        "end": kind_shares(end),
    }
    grew = [k for k in KINDS if shares["end"][k] - shares["peak"][k] >= 0.10]
    return {
        "start": start_answers,
        "peak": at_peak,
        "end": end,
        "shares": shares,
        "exploit": grew[0] if grew else None,
    }


def group_table(phases, main_coef: float, peak: int, w: int) -> dict[str, Any]:
    """Per prompt group: gold and proxy before RL, at the gold peak and at the end, the
    share of evasive answers, and the answer the policy gave most often at the end."""

    def by_group(answers):
        out: dict[str, list[dict[str, Any]]] = {}
        for a in answers:
            out.setdefault(a["group"], []).append(a)
        return out

    start, at_peak, end = (by_group(phases[k]) for k in ("start", "peak", "end"))

    def mean(items, key):
        return round(statistics.fmean(float(a[key]) for a in items), 3) if items else None

    rows = []
    for g in world.GROUPS:
        if g not in start and g not in end:
            continue
        s, pk, e = start.get(g, []), at_peak.get(g, []), end.get(g, [])
        common = Counter(a["response"] for a in e).most_common(1)
        answer = f"{common[0][0]} ({common[0][1]}/{len(e)})" if common else ""
        rows.append(
            [
                g,
                mean(s, "gold"),
                mean(pk, "gold"),
                mean(e, "gold"),
                mean(s, "proxy"),
                mean(e, "proxy"),
                mean(s, "evasive"),
                mean(pk, "evasive"),
                mean(e, "evasive"),
                answer,
            ]
        )
    return {
        "title": f"What the policy drifted to, by prompt group (KL coef {main_coef:g}): before "
        f"RL, at the gold peak (steps {max(1, peak - w + 2)}-{peak + 1}) and in the last {w} "
        "steps",
        "columns": list(GROUP_COLUMNS),
        "labels": [
            "Prompt group",
            "Gold, before RL",
            "Gold, at the peak",
            "Gold, end",
            "Proxy, before RL",
            "Proxy, end",
            "Evasive, before RL",
            "Evasive, at the peak",
            "Evasive, end",
            "Most common answer at the end",
        ],
        "formats": [
            "family",
            "score",
            "score",
            "score",
            "score",
            "score",
            "percent",
            "percent",
            "percent",
            "text",
        ],
        "rows": rows,
    }


GROUP_COLUMNS = (
    "group",
    "gold_start",
    "gold_peak",
    "gold_end",
    "proxy_start",
    "proxy_end",
    "evasive_start",
    "evasive_peak",
    "evasive_end",
    "answer_end",
)


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
                round(
                    kind_shares([a for call in runs[c]["answers"][-w:] for a in call])["evasive"], 3
                ),
            ]
        )
    return rows


def fit_table(curve, main_coef: float) -> dict[str, Any]:
    a, b = curve["a"], curve["b"]
    return {
        "title": "Gold against d = sqrt(KL), fitted R(d) = d (a - b log d) (KL coef "
        f"{main_coef:g}, gold relative to its start)",
        "columns": ["a", "b", "r_squared", "peak_d"],
        "rows": [[round(a, 4), round(b, 4), round(curve["r2"], 4), round(math.exp(a / b - 1), 3)]],
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


def kinds_over_steps(start_answers, answers, w: int) -> dict[str, Any]:
    """The share of each answer kind per step (smoothed), step 0 before RL."""
    per_step = [kind_shares(call) for call in answers]
    start = kind_shares(start_answers)
    lines = {}
    for k in KINDS:
        values = rs.smooth([s[k] for s in per_step], w)
        lines[KIND_WORDS[k].split(" (")[0]] = [[0, round(start[k], 4)]] + [
            [i + 1, round(v, 4)] for i, v in enumerate(values)
        ][w - 1 :]
    return {
        "x_label": "RL step (0: the SFT model before RL)",
        "y_label": f"share of answers, mean of the last {w} steps",
        "lines": lines,
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
    lines = {
        **{f"gold, KL coef {c:g}": gold_line(c) for c in coefs},
        f"proxy, KL coef {coefs[0]:g}": [[0.0, round(start["proxy"], 4)]] + proxy[first:],
    }
    if not curve["fit_reason"]:
        lines["fitted gold R(d) = d(a - b log d)"] = [
            [round(x, 4), round(gold0 + rl.gao_curve(curve["a"], curve["b"], x), 4)]
            for x in [0.0, *sorted(d[first:])]
        ]
    return {"x_label": "sqrt(KL to the SFT model), nats^0.5", "y_label": "score", "lines": lines}


def exploit_samples(coefs, runs, exploit: str | None, w: int) -> list[dict]:
    """Three answers of the main run's first step; then its exploit: from its last ``w``
    steps, for up to four prompt groups, the answer of the exploit's kind (any kind if
    none) with the largest proxy-over-gold gap; two samples of each sweep run's last
    step."""
    main = runs[coefs[0]]
    n = len(main["answers"])
    out = [s for s in main["samples"] if s["model"].endswith(" step 1")]
    late = [
        (n - w + 1 + i, a)
        for i, call in enumerate(main["answers"][-w:])
        for a in call
        if exploit is None or a[exploit]
    ]
    late.sort(key=lambda x: x[1]["gold"] - x[1]["proxy"])
    seen: set[str] = set()
    for step, a in late:
        if a["group"] in seen:
            continue
        seen.add(a["group"])
        out.append(
            {
                "prompt": a["prompt"],
                "response": a["response"],
                "family": a["group"],
                "gold": round(a["gold"], 3),
                "proxy": round(a["proxy"], 3),
                "model": f"rloo kl {coefs[0]:g} step {step}",
            }
        )
        if len(seen) == 4:
            break
    for c in coefs[1:]:
        out += [s for s in runs[c]["samples"] if s["model"].endswith(f" step {n}")][:2]
    return out


def findings(curve, rows, start, phases) -> dict[str, Any]:
    gold, proxy, peak = curve["gold"], curve["proxy"], curve["peak"]
    agreement = start["agreement"]
    shown = not curve["fit_reason"]
    shares = phases["shares"]
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
        "gold_rise": round(curve["rise"], 4),
        "gold_fall": round(curve["fall"], 4),
        "rise_noise_band": round(curve["rise_band"], 4),
        "fall_noise_band": round(curve["fall_band"], 4),
        "rise_beyond_noise": curve["rise_verdict"] == "rose",
        "fall_beyond_noise": curve["fall_verdict"] == "fell",
        "kl_end": round(curve["kl"][-1], 4),
        "length_end": rows[0][5],
        "fit_shown": shown,
        "fit_a": round(curve["a"], 4) if shown else None,
        "fit_b": round(curve["b"], 4) if shown else None,
        "fit_r_squared": round(curve["r2"], 4) if shown else None,
        "exploit": phases["exploit"],
        **{f"{k}_share_{ph}": round(shares[ph][k], 4) for ph in shares for k in KINDS},
        **{f"gold_end_kl{r[0]:g}": r[2] for r in rows},
        **{f"proxy_end_kl{r[0]:g}": r[1] for r in rows},
        **{f"kl_end_kl{r[0]:g}": r[4] for r in rows},
        **{f"evasive_end_kl{r[0]:g}": r[9] for r in rows},
    }


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(p, main_coef: float, curve, rows, start, phases) -> str:
    gold, peak = curve["gold"], curve["peak"]
    rise_words = {
        "rose": f"rose beyond its noise (+-{curve['rise_band']:.2f})",
        "fell": "did not rise",
        "within noise": f"rose only within its noise (+-{curve['rise_band']:.2f})",
    }[curve["rise_verdict"]]
    fall_words = {
        "fell": f"fell beyond its noise (+-{curve['fall_band']:.2f})",
        "rose": "did not fall",
        "within noise": f"fell only within its noise (+-{curve['fall_band']:.2f})",
    }[curve["fall_verdict"]]
    text = (
        f"With KL coefficient {main_coef:g}, the proxy reward rose from {start['proxy']:.2f} to "
        f"{curve['proxy'][-1]:.2f} over {p['steps']} steps while the gold score went from "
        f"{start['gold']:.2f} to a peak of {gold[peak]:.2f} (step {peak + 1}: it {rise_words}) "
        f"and then to {gold[-1]:.2f} (it {fall_words}), {curve['kl'][-1]:.1f} nats from the "
        "SFT model."
    )
    exploit = phases["exploit"]
    if exploit:
        s = phases["shares"]
        text += (
            f" The exploit: {KIND_WORDS[exploit]} were {s['start'][exploit]:.0%} of answers "
            f"before RL, {s['peak'][exploit]:.0%} at the gold peak and {s['end'][exploit]:.0%} "
            "at the end."
        )
    else:
        text += " No kind of answer grew by 10 points from the gold peak to the end."
    if curve["fit_reason"]:
        text += f" The fitted R(d) is not shown: {curve['fit_reason']}."
    else:
        text += (
            f" Gold against d = sqrt(KL) fits R(d) = d({curve['a']:.2f} - {curve['b']:.2f} "
            f"log d) (R^2 {curve['r2']:.2f})."
        )
    sweep = "; ".join(
        f"KL coef {r[0]:g}: gold {r[2]:.2f}, proxy {r[1]:.2f}, KL {r[4]:.1f}, evasive {r[9]:.0%}"
        for r in rows[1:]
    )
    if sweep:
        text += f" Sweep: {sweep}."
    if start["agreement"] is not None:
        text += (
            f" Before RL the proxy ordered {start['agreement']:.0%} of {start['pairs']} pairs of "
            "the SFT model's own answers as the gold score does."
        )
    return text
