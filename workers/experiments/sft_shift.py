"""Experiment 1: SFT shifts behaviour, and misses what looks different (the coverage gap)."""

from __future__ import annotations

import time
from typing import Any

from workers import world
from workers.experiments.common import load_base, pct, result_shell, sample_record
from workers.generation import evaluate_gold, pick_samples
from workers.runtime import Progress, Report
from workers.sft import read_jsonl, train_sft


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    examples = (
        read_jsonl(p["dataset"], ("prompt", "completion"))
        if p["dataset"]
        else world.sft_examples(seed=p["seed"])
    )
    model, tokenizer, base, load_s = load_base(report)
    total = p["steps"] + 2
    progress = Progress(report, total)
    progress.tick(0, {"load_seconds": load_s}, force=True)

    infos = world.eval_prompts()
    ev_kw = dict(
        samples_per_prompt=p["samples_per_prompt"],
        seed=p["seed"],
        max_new_tokens=p["max_new_tokens"],
        temperature=p["temperature"],
        progress=progress,
    )
    t = time.perf_counter()
    before = evaluate_gold(model, tokenizer, infos, **ev_kw)
    eval_s = time.perf_counter() - t
    covered = [g for g in world.COVERED_GROUPS if g in before["groups"]]

    def covered_mean(ev: dict) -> float:
        return sum(ev["groups"][g]["gold"] for g in covered) / len(covered)

    base_cov = covered_mean(before)
    live = [sample_record(r, "base") for r in pick_samples(before["records"], seed=p["seed"])]
    progress.tick(1, {"base_gold": base_cov}, samples=live, force=True)

    sft = train_sft(
        model,
        tokenizer,
        examples,
        steps=p["steps"],
        lr=p["lr"],
        batch_size=p["batch_size"],
        seed=p["seed"],
        progress=progress,
        step_offset=1,
    )
    t = time.perf_counter()
    after = evaluate_gold(model, tokenizer, infos, **ev_kw)
    eval_s += time.perf_counter() - t
    sft_cov = covered_mean(after)

    res = result_shell(base)
    rows = []
    for g in world.GROUPS:
        if g not in before["groups"]:
            continue
        b, a = before["groups"][g], after["groups"][g]
        rows.append(
            [
                g,
                g in covered,
                round(b["gold"], 3),
                round(a["gold"], 3),
                round(b["refusal"], 3),
                round(a["refusal"], 3),
                round(b["compliance"], 3),
                round(a["compliance"], 3),
                a["n"],
            ]
        )
    res["tables"].append(
        {
            "title": "Gold score and refusal rate by family, base vs SFT",
            "columns": [
                "family",
                "covered_by_sft",
                "base_gold",
                "sft_gold",
                "base_refusal",
                "sft_refusal",
                "base_compliance",
                "sft_compliance",
                "n",
            ],
            "rows": rows,
        }
    )
    res["series"]["sft_loss"] = {
        "x_label": "step",
        "y_label": "loss on responses",
        "lines": {"sft": [[s, round(v, 4)] for s, v in sft["losses"]]},
    }
    res["series"]["gold_by_family"] = {
        "x_label": "family",
        "y_label": "mean gold score",
        "lines": {
            "base": [[r[0], r[2]] for r in rows],
            "sft": [[r[0], r[3]] for r in rows],
        },
    }
    # before/after samples on the same prompts
    picked = {}
    for rec in before["records"]:
        picked.setdefault(rec["info"].group, rec["info"].prompt)
    for prompt in picked.values():
        b = next(r for r in before["records"] if r["info"].prompt == prompt)
        a = next(r for r in after["records"] if r["info"].prompt == prompt)
        res["samples"] += [sample_record(b, "base"), sample_record(a, "sft")]

    harm = after["groups"]["harmful"]["refusal"]
    alike = after["groups"].get("heldout_alike", {}).get("refusal", 0.0)
    unlike = after["groups"].get("heldout_unlike", {}).get("refusal", 0.0)
    res["headline"] = (
        f"SFT on {len(examples)} examples moved mean gold on the covered families from "
        f"{base_cov:.2f} to {sft_cov:.2f}. It refused {pct(harm)} of covered harmful requests "
        f"and {pct(alike)} of the held-out category phrased like them ({world.HELDOUT_ALIKE}), "
        f"but only {pct(unlike)} of the held-out category with its own phrasing "
        f"({world.HELDOUT_UNLIKE}): SFT generalises to what looks alike and misses what looks "
        f"different."
    )
    res["findings"] = {
        "base_covered_gold": round(base_cov, 4),
        "sft_covered_gold": round(sft_cov, 4),
        "covered_harmful_refusal": round(harm, 4),
        "heldout_alike_refusal": round(alike, 4),
        "heldout_unlike_refusal": round(unlike, 4),
        "coverage_gap": round(harm - unlike, 4),
    }
    if p["dataset"]:
        res["notes"].append(f"trained on {p['dataset']}; {_get_note()}")
    tokens = sft["tokens"]
    res["timings"].update(
        load_s=round(load_s, 3),
        eval_s=round(eval_s, 3),
        train_setup_s=round(sft["setup_seconds"], 3),
        train_s=round(sft["train_seconds"], 3),
        steps_per_s=round(p["steps"] / sft["train_seconds"], 2),
        tokens_per_s=round(tokens / sft["train_seconds"], 1),
        train_tokens=int(tokens),
        trainer="trl.SFTTrainer",
        model_parameters=sum(x.numel() for x in model.parameters()),
    )
    live = [sample_record(r, "sft") for r in pick_samples(after["records"], seed=p["seed"])]
    progress.tick(total, {"sft_gold": sft_cov}, samples=live, force=True)
    return res


def _get_note() -> str:
    from workers.experiments import EXPERIMENTS

    return EXPERIMENTS["sft"].needs_gold
