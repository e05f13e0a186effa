"""Experiment 1: SFT shifts behaviour, and misses what looks different (the coverage gap)."""

from __future__ import annotations

import time
from typing import Any

from workers import world
from workers.experiments.catalogue import EXPERIMENTS
from workers.experiments.common import load_base, pct, result_shell, sample_record
from workers.generation import evaluate_gold, pick_samples
from workers.runtime import Progress, Report
from workers.sft import read_jsonl, train_sft

TABLE_COLUMNS = (
    "family",
    "covered_by_sft",
    "base_gold",
    "sft_gold",
    "base_refusal",
    "sft_refusal",
    "base_compliance",
    "sft_compliance",
    "n",
)


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
    live = [sample_record(r, "base") for r in pick_samples(before["records"], seed=p["seed"])]
    progress.tick(1, {"base_gold": covered_mean(before, covered)}, samples=live, force=True)
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
    res = summarise(p, base, len(examples), before, after, covered, sft)
    res["timings"].update(
        load_s=round(load_s, 3),
        eval_s=round(eval_s, 3),
        train_setup_s=round(sft["setup_seconds"], 3),
        train_s=round(sft["train_seconds"], 3),
        steps_per_s=round(p["steps"] / sft["train_seconds"], 2),
        tokens_per_s=round(sft["tokens"] / sft["train_seconds"], 1),
        train_tokens=int(sft["tokens"]),
        trainer="trl.SFTTrainer",
        model_parameters=sum(x.numel() for x in model.parameters()),
    )
    live = [sample_record(r, "sft") for r in pick_samples(after["records"], seed=p["seed"])]
    progress.tick(total, {"sft_gold": covered_mean(after, covered)}, samples=live, force=True)
    return res


def covered_mean(ev: dict, covered: list[str]) -> float:
    """Mean gold over the families the SFT set covers."""
    return sum(ev["groups"][g]["gold"] for g in covered) / len(covered)


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def summarise(p, base, n_examples: int, before, after, covered, sft) -> dict[str, Any]:
    res = result_shell(base)
    rows = family_rows(before, after, covered)
    res["tables"].append(
        {
            "title": "Gold score and refusal rate by family, base vs SFT",
            "columns": list(TABLE_COLUMNS),
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
        "lines": {"base": [[r[0], r[2]] for r in rows], "sft": [[r[0], r[3]] for r in rows]},
    }
    res["samples"] = paired_samples(before, after)
    harm = after["groups"]["harmful"]["refusal"]
    alike = after["groups"].get("heldout_alike", {}).get("refusal", 0.0)
    unlike = after["groups"].get("heldout_unlike", {}).get("refusal", 0.0)
    base_cov, sft_cov = covered_mean(before, covered), covered_mean(after, covered)
    res["headline"] = headline(n_examples, base_cov, sft_cov, harm, alike, unlike)
    res["findings"] = {
        "base_covered_gold": round(base_cov, 4),
        "sft_covered_gold": round(sft_cov, 4),
        "covered_harmful_refusal": round(harm, 4),
        "heldout_alike_refusal": round(alike, 4),
        "heldout_unlike_refusal": round(unlike, 4),
        "coverage_gap": round(harm - unlike, 4),
    }
    if p["dataset"]:
        res["notes"].append(dataset_note(p))
    return res


def family_rows(before, after, covered) -> list[list]:
    """Gold, refusal and compliance by family, base and SFT, for the table."""
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
    return rows


def paired_samples(before, after) -> list[dict[str, Any]]:
    """The base and the SFT model's answers to the same prompt, one prompt per group."""
    picked: dict[str, str] = {}
    for rec in before["records"]:
        picked.setdefault(rec["info"].group, rec["info"].prompt)
    out = []
    for prompt in picked.values():
        b = next(r for r in before["records"] if r["info"].prompt == prompt)
        a = next(r for r in after["records"] if r["info"].prompt == prompt)
        out += [sample_record(b, "base"), sample_record(a, "sft")]
    return out


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(n_examples, base_cov, sft_cov, harm, alike, unlike) -> str:
    return (
        f"SFT on {n_examples} examples moved mean gold on the covered families from "
        f"{base_cov:.2f} to {sft_cov:.2f}. It refused {pct(harm)} of covered harmful requests "
        f"and {pct(alike)} of the held-out category phrased like them ({world.HELDOUT_ALIKE}), "
        f"but only {pct(unlike)} of the held-out category with its own phrasing "
        f"({world.HELDOUT_UNLIKE}): SFT generalises to what looks alike and misses what looks "
        f"different."
    )


def dataset_note(p) -> str:
    return f"trained on {p['dataset']}; {EXPERIMENTS['sft'].needs_gold}"
