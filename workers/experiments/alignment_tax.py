"""The alignment tax: capability on benign tasks before and after safety training at
several strengths.

The starting point is the fully trained SFT model (``rlhf_setup.SFT_STEPS`` steps on the
world's set): it answers capital-city questions and harmless how-to requests, refuses the
harmful categories the SFT set covers, and still answers the held-out stalking requests,
which are phrased like the how-to ones ("what are the steps to ...?"). Safety training
(SFT on refusals with a reason to every kind of harmful request, stalking included, the
red-team data that closes the gap) then runs from that same model for each strength (a
number of optimiser steps); every strength is its own run. Each resulting model answers
the same evaluation prompts, sampled, and the world's gold score measures:

- capability: gold on the benign task families (``CAPABILITY_GROUPS``: capital cities and
  how-to requests), and how often those are refused;
- safety: refusal of harmful requests (covered, held-out, role-play wrapped).

The tax is capability after minus capability before, seed by seed (each seed its own SFT
model, safety data order and samples), with its spread over seeds: a fall inside the
spread is within noise. ``mix`` puts a share of the SFT set's helpful demonstrations into
the safety batches (the way InstructGPT mixed pretraining data into RL, "PPO-ptx") to show
what that does to the tax."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

from workers import world
from workers.experiments import rlhf_setup as rs
from workers.experiments.common import (
    load_base,
    mean_and_spread,
    pct,
    result_shell,
    sample_record,
    seed_verdict,
)
from workers.generation import evaluate_gold
from workers.runtime import Progress, Report
from workers.sft import train_sft

CAPABILITY_GROUPS = ("fact", "howto")
SAFETY_GROUPS = ("harmful", "heldout_alike", "heldout_unlike", "adversarial")
OTHER_GROUPS = ("borderline",)
EVAL_GROUPS = CAPABILITY_GROUPS + OTHER_GROUPS + SAFETY_GROUPS
STRENGTH_SHARES = (0.0, 0.25, 0.5, 1.0)  # of ``steps``: the strengths measured
EVAL_PER_GROUP = 12
TAX_WORDS = {  # a capability change's verdict as the table shows it
    "fell": "fell: a tax",
    "rose": "rose",
    "within noise": "within noise",
    "one seed": "one seed: not judged",
}
MAX_NEW_TOKENS = 32
TABLE_COLUMNS = (
    "safety_steps",
    "capability_gold",
    "capability_gold_sd",
    "tax",
    "tax_sd",
    "tax_verdict",
    "fact_gold",
    "howto_gold",
    "howto_refusal",
    "borderline_refusal",
    "harmful_refusal",
    "stalking_refusal",
)
TABLE_LABELS = (
    "Safety training (steps)",
    "Capability: gold on facts and how-to",
    "Capability, spread (SD)",
    "Capability change from the SFT model (a tax when negative)",
    "Change, spread (SD)",
    "Beyond noise?",
    "Gold: capital cities",
    "Gold: how-to requests",
    "Refused: how-to (harmless)",
    "Refused: borderline (harmless)",
    "Refused: harmful (all)",
    "Refused: stalking (held out of SFT)",
)
TABLE_FORMATS = (
    "count",
    "score",
    "score",
    "score",
    "score",
    "text",
    "score",
    "score",
    "percent",
    "percent",
    "percent",
    "percent",
)


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    base_model, tok, base, load_s = load_base(report)
    strengths = strengths_of(p)
    seeds = [p["seed"] + i for i in range(p["seeds"])]
    per_seed = rs.SFT_STEPS + sum(strengths) + len(strengths)
    progress = Progress(report, 1 + len(seeds) * per_seed)
    progress.tick(0, {"load_seconds": load_s}, force=True)
    infos = [i for i in world.eval_prompts(per_group=EVAL_PER_GROUP) if i.group in EVAL_GROUPS]
    t0 = time.perf_counter()
    runs: dict[int, list[Measure]] = {}
    samples: list[dict[str, Any]] = []
    timings = {"sft_s": 0.0, "safety_s": 0.0, "eval_s": 0.0}
    for s in seeds:
        runs[s] = safety_sweep(p, base_model, tok, infos, strengths, s, progress, timings)
        if s == seeds[0]:
            samples = sample_answers(runs[s])
        progress.tick(metrics=live_metrics(runs[s][-1], runs[s][0]), force=True)
    res = summarise(p, base, strengths, seeds, runs)
    res["samples"] = samples
    res["timings"].update(
        load_s=round(load_s, 3),
        **{k: round(v, 3) for k, v in timings.items()},
        runs_s=round(time.perf_counter() - t0, 3),
        trainer="trl.SFTTrainer",
        model_parameters=sum(x.numel() for x in base_model.parameters()),
    )
    progress.tick(progress.total, force=True)
    return res


def strengths_of(p: dict[str, Any]) -> list[int]:
    """Safety-training steps measured: 0 (the SFT model), a quarter, half and all of
    ``steps`` (distinct, rising)."""
    return sorted({round(p["steps"] * share) for share in STRENGTH_SHARES})


# ---------------------------------------------------------------------------------------
# The data, the training and the measurements
# ---------------------------------------------------------------------------------------
def safety_examples(seed: int) -> list[dict[str, str]]:
    """Refusals with a reason to every harmful request of the world (the covered categories,
    both held-out ones, role-play wrapped ones): safety data that closes the SFT set's
    coverage gap."""
    rng = random.Random(seed)
    return [
        {"prompt": i.prompt, "completion": rng.choice(world.REFUSALS_REASON)}
        for i in world.PROMPTS.values()
        if i.family in ("harmful", "adversarial")
    ]


def training_set(p: dict[str, Any], seed: int) -> list[dict[str, str]]:
    """The safety examples, with a ``mix`` share of the SFT set's benign demonstrations."""
    safety = safety_examples(seed)
    if p["mix"] <= 0:
        return safety
    rng = random.Random(seed + 1)
    benign = [e for e in world.sft_examples(seed=seed) if e["family"] not in SAFETY_GROUPS]
    n = round(len(safety) * p["mix"] / (1 - p["mix"]))
    out = safety + [rng.choice(benign) for _ in range(n)]
    rng.shuffle(out)
    return out


@dataclass
class Measure:
    """One model's answers: capability, refusal rates and the records."""

    steps: int
    capability: float
    gold: dict[str, float]
    refusal: dict[str, float]
    records: list[dict[str, Any]]

    @property
    def harmful_refusal(self) -> float:
        rows = [r["refused"] for r in self.records if r["info"].group in SAFETY_GROUPS]
        return sum(rows) / len(rows)


def measure(model, tok, infos, steps: int, seed: int, p, progress) -> Measure:
    ev = evaluate_gold(
        model,
        tok,
        infos,
        samples_per_prompt=p["samples_per_prompt"],
        seed=seed + 7,
        max_new_tokens=MAX_NEW_TOKENS,
        progress=progress,
    )
    groups = ev["groups"]
    capable = [r["gold"] for r in ev["records"] if r["info"].group in CAPABILITY_GROUPS]
    return Measure(
        steps,
        statistics.fmean(capable),
        {g: v["gold"] for g, v in groups.items()},
        {g: v["refusal"] for g, v in groups.items()},
        ev["records"],
    )


def safety_sweep(p, base_model, tok, infos, strengths, seed, progress, timings) -> list[Measure]:
    """The SFT model of ``seed``, then safety training from it at every strength."""
    t = time.perf_counter()
    sft = rs.trainable_copy(base_model)
    train_sft(
        sft,
        tok,
        world.sft_examples(seed=seed),
        steps=rs.SFT_STEPS,
        seed=seed,
        progress=progress,
        step_offset=progress.step,
    )
    sft = rs.trainable_copy(sft)
    timings["sft_s"] += time.perf_counter() - t
    data = training_set(p, seed)
    out = []
    for steps in strengths:
        model = sft
        if steps:
            t = time.perf_counter()
            model = rs.trainable_copy(sft)
            train_sft(
                model,
                tok,
                data,
                steps=steps,
                lr=p["lr"],
                seed=seed,
                progress=progress,
                step_offset=progress.step,
            )
            timings["safety_s"] += time.perf_counter() - t
        t = time.perf_counter()
        m = measure(model, tok, infos, steps, seed, p, progress)
        timings["eval_s"] += time.perf_counter() - t
        out.append(m)
        progress.advance(
            metrics={
                "safety_steps": steps,
                "capability_gold": m.capability,
                "refusal_harmful": m.harmful_refusal,
                "refusal_howto": m.refusal.get("howto", 0.0),
            }
        )
    return out


def live_metrics(last: Measure, first: Measure) -> dict[str, float]:
    return {"capability_before": first.capability, "capability_after": last.capability}


def sample_answers(measures: list[Measure]) -> list[dict[str, Any]]:
    """The first how-to and stalking answer of the SFT model and of the strongest safety
    training: what the tax looks like."""
    out = []
    for m in (measures[0], measures[-1]):
        name = "sft" if m.steps == 0 else f"safety {m.steps} steps"
        for group in ("howto", "heldout_unlike", "fact"):
            rec = next(r for r in m.records if r["info"].group == group)
            out.append(sample_record(rec, name))
    return out


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tax:
    """Capability at one strength minus the SFT model's, averaged over seeds, and its
    spread (standard deviation) over seeds: None with one seed."""

    change: float
    sd: float | None

    @property
    def verdict(self) -> str:
        return seed_verdict(self.change, self.sd, up="rose", down="fell", tie="within noise")


def tax_at(runs: dict[int, list[Measure]], k: int) -> Tax:
    diffs = [ms[k].capability - ms[0].capability for ms in runs.values()]
    return Tax(*mean_and_spread(diffs))


def mean_of(runs, k: int, value) -> float:
    return statistics.fmean(value(ms[k]) for ms in runs.values())


def sd_of(runs, k: int, value) -> float:
    vals = [value(ms[k]) for ms in runs.values()]
    return statistics.stdev(vals) if len(vals) > 1 else 0.0


def capability(m: Measure) -> float:
    return m.capability


def stalking_refusal(m: Measure) -> float:
    return m.refusal["heldout_unlike"]


def summarise(p, base, strengths, seeds, runs) -> dict[str, Any]:
    res = result_shell(base)
    rows = []
    for k, steps in enumerate(strengths):
        tax = tax_at(runs, k)
        rows.append(
            [
                steps,
                round(mean_of(runs, k, capability), 3),
                round(sd_of(runs, k, capability), 3),
                None if k == 0 else round(tax.change, 3),
                None if k == 0 or tax.sd is None else round(tax.sd, 3),
                None if k == 0 else TAX_WORDS[tax.verdict],
                round(mean_of(runs, k, lambda m: m.gold["fact"]), 3),
                round(mean_of(runs, k, lambda m: m.gold["howto"]), 3),
                round(mean_of(runs, k, lambda m: m.refusal["howto"]), 3),
                round(mean_of(runs, k, lambda m: m.refusal["borderline"]), 3),
                round(mean_of(runs, k, lambda m: m.harmful_refusal), 3),
                round(mean_of(runs, k, stalking_refusal), 3),
            ]
        )
    res["tables"].append(
        {
            "title": f"Capability and safety after safety training (mean of {len(seeds)} seeds; "
            f"mix {p['mix']:g}; the tax is beyond noise when larger than its spread)",
            "columns": list(TABLE_COLUMNS),
            "labels": list(TABLE_LABELS),
            "formats": list(TABLE_FORMATS),
            "rows": rows,
        }
    )
    res["tables"].append(
        {
            "title": f"Seed by seed: the SFT model and {strengths[-1]} steps of safety training",
            "columns": [
                "seed",
                "capability_before",
                "capability_after",
                "tax",
                "harmful_refusal_before",
                "harmful_refusal_after",
            ],
            "labels": [
                "Seed",
                "Capability, SFT model",
                f"Capability after {strengths[-1]} steps",
                "Capability change (a tax when negative)",
                "Refused: harmful, SFT model",
                f"Refused: harmful after {strengths[-1]} steps",
            ],
            "formats": ["count", "score", "score", "score", "percent", "percent"],
            "rows": [
                [
                    s,
                    round(ms[0].capability, 3),
                    round(ms[-1].capability, 3),
                    round(ms[-1].capability - ms[0].capability, 3),
                    round(ms[0].harmful_refusal, 3),
                    round(ms[-1].harmful_refusal, 3),
                ]
                for s, ms in runs.items()
            ],
        }
    )
    res["series"].update(series(strengths, runs))
    res["findings"] = findings(strengths, runs)
    res["headline"] = headline(p, strengths, runs)
    res["notes"].append(
        "capability is the gold score of sampled answers to capital-city and how-to questions "
        f"({EVAL_PER_GROUP} prompts per group x {p['samples_per_prompt']} samples); every "
        "strength is its own safety-training run from the same SFT model"
    )
    return res


def series(strengths, runs) -> dict[str, Any]:
    def line(value) -> list[list[float]]:
        return [[s, round(mean_of(runs, k, value), 4)] for k, s in enumerate(strengths)]

    return {
        "capability_vs_safety_training": {
            "x_label": "safety training (optimiser steps on refusals)",
            "y_label": "gold score (mean of seeds)",
            "lines": {
                "capability (facts and how-to)": line(capability),
                "capital cities": line(lambda m: m.gold["fact"]),
                "how-to requests": line(lambda m: m.gold["howto"]),
            },
        },
        "refusal_vs_safety_training": {
            "x_label": "safety training (optimiser steps on refusals)",
            "y_label": "refusal rate (mean of seeds)",
            "lines": {
                "harmful (all)": line(lambda m: m.harmful_refusal),
                "stalking (held out of SFT)": line(stalking_refusal),
                "how-to (harmless)": line(lambda m: m.refusal["howto"]),
                "borderline (harmless)": line(lambda m: m.refusal["borderline"]),
            },
        },
        "tax_frontier": {
            "x_label": "refusal of harmful requests",
            "y_label": "capability (gold on facts and how-to)",
            "lines": {
                "safety steps " + "/".join(str(s) for s in strengths): [
                    [
                        round(mean_of(runs, k, lambda m: m.harmful_refusal), 4),
                        round(mean_of(runs, k, capability), 4),
                    ]
                    for k in range(len(strengths))
                ]
            },
        },
    }


def findings(strengths, runs) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, s in enumerate(strengths):
        out[f"capability_s{s}"] = round(mean_of(runs, k, capability), 4)
        out[f"harmful_refusal_s{s}"] = round(mean_of(runs, k, lambda m: m.harmful_refusal), 4)
        out[f"howto_refusal_s{s}"] = round(mean_of(runs, k, lambda m: m.refusal["howto"]), 4)
    last = tax_at(runs, len(strengths) - 1)
    out["tax"] = round(last.change, 4)
    out["tax_sd"] = None if last.sd is None else round(last.sd, 4)
    return out


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(p, strengths, runs) -> str:
    k, n = len(strengths) - 1, len(runs)
    tax = tax_at(runs, k)
    before, after = mean_of(runs, 0, capability), mean_of(runs, k, capability)
    harm0, harm1 = (mean_of(runs, i, lambda m: m.harmful_refusal) for i in (0, k))
    how0, how1 = (mean_of(runs, i, lambda m: m.refusal["howto"]) for i in (0, k))
    fact0, fact1 = (mean_of(runs, i, lambda m: m.gold["fact"]) for i in (0, k))
    text = (
        f"Safety training on refusals ({strengths[k]} steps"
        + (f", {pct(p['mix'])} of each batch benign demonstrations" if p["mix"] > 0 else "")
        + f") raised refusal of harmful requests from {pct(harm0)} to {pct(harm1)}. "
        f"Capability on benign tasks (gold on capital-city and how-to questions) went from "
        f"{before:.2f} to {after:.2f}: "
    )
    if tax.verdict == "one seed":
        text += f"a change of {tax.change:+.2f} (one seed: no spread to judge noise by)"
    elif tax.verdict == "within noise":
        text += f"a change of {tax.change:+.2f}, within noise (spread {tax.sd:.2f} over {n} seeds)"
    elif tax.verdict == "fell":
        text += f"an alignment tax of {-tax.change:.2f} (spread {tax.sd:.2f} over {n} seeds)"
    else:
        text += f"a gain of {tax.change:.2f} (spread {tax.sd:.2f} over {n} seeds)"
    return text + (
        f". How-to requests refused: {pct(how0)} -> {pct(how1)}; gold on capital cities "
        f"{fact0:.2f} -> {fact1:.2f}."
    )
