"""Experiment 2: at the same number of labels, comparisons beat absolute ratings once the
raters disagree about the rating scale (and ratings can win when raters are calibrated)."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from workers import annotators as ann
from workers import reward_model as rm
from workers import world
from workers.experiments.common import load_base, pct, result_shell
from workers.runtime import Progress, Report

MISCALIBRATION_GRID = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
HELDOUT_SHARE = 0.27


def _split(seed: int) -> tuple[list[world.PromptInfo], list[world.PromptInfo]]:
    infos = list(world.PROMPTS.values())
    random.Random(seed).shuffle(infos)
    k = int(len(infos) * (1 - HELDOUT_SHARE))
    return infos[:k], infos[k:]


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    if p["dataset"]:
        return _run_dataset(p, report)
    model, tokenizer, base, load_s = load_base(report)
    n_default, m_default = p["labels"], p["miscalibration"]
    label_grid = sorted(
        {max(10, n_default // 4), max(10, n_default // 2), n_default, n_default * 2}
    )
    mis_grid = sorted(set(MISCALIBRATION_GRID) | {m_default})
    seeds = [p["seed"] + i for i in range(p["seeds"])]
    finetune = p["rm_training"] == "finetune"
    if finetune:
        label_grid, mis_grid, seeds = [n_default], sorted({0.0, m_default}), seeds[:2]
    points = [(n, m_default) for n in label_grid] + [(n_default, m) for m in mis_grid]
    points = list(dict.fromkeys(points))
    per_fit = 2 * _finetune_steps(n_default) if finetune else 1
    total = 2 + len(points) * len(seeds) * per_fit
    progress = Progress(report, total)
    progress.tick(0, {"load_seconds": load_s}, force=True)

    t = time.perf_counter()
    train_infos, test_infos = _split(p["seed"])
    pool_tr = ann.response_pool(train_infos, p["responses_per_prompt"], seed=p["seed"] + 1)
    pool_te = ann.response_pool(test_infos, p["responses_per_prompt"], seed=p["seed"] + 2)
    items = [j for g in pool_tr + pool_te for j in g]
    index = {id(j): k for k, j in enumerate(items)}
    test_items = [j for g in pool_te for j in g]
    test_pairs = [(a, b) for g in pool_te for a in g for b in g if a.gold > b.gold + 0.05]
    feats, feature_tokens = None, 0
    if not finetune:
        feats, feature_tokens = rm.sequence_features(
            model, tokenizer, [(j.info.prompt, j.response) for j in items], progress=progress
        )
    features_s = time.perf_counter() - t
    progress.tick(1, {"responses": len(items)}, force=True)

    import torch

    gold = torch.tensor([j.gold for j in items])
    ti = torch.tensor([index[id(j)] for j in test_items])
    pa = torch.tensor([index[id(a)] for a, _ in test_pairs])
    pb = torch.tensor([index[id(b)] for _, b in test_pairs])

    def evaluate(scores: torch.Tensor) -> tuple[float, float]:
        acc = (scores[pa] > scores[pb]).float().mean().item()
        corr = torch.corrcoef(torch.stack([scores[ti], gold[ti]]))[0, 1].item()
        return acc, (0.0 if corr != corr else corr)

    results: dict[tuple[int, float, str], list[tuple[float, float]]] = {}
    fits = 0
    t_fit = time.perf_counter()
    last_scores: dict[str, torch.Tensor] = {}
    for n, m in points:
        for s in seeds:
            raters = ann.Annotators(
                noise=p["noise"], length_bias=p["length_bias"], miscalibration=m, seed=s
            )
            rng = random.Random(s)
            pairs = ann.sample_pairs(pool_tr, n, raters, rng)
            rated = ann.sample_ratings(pool_tr, n, raters, rng)
            if finetune:
                scores = _finetune_scores(base, pairs, rated, items, s, progress)
            else:
                xc = feats[[index[id(c)] for c, _ in pairs]]
                xr = feats[[index[id(r)] for _, r in pairs]]
                w_pair = rm.fit_probe_pairwise(xc, xr)
                w_abs = rm.fit_probe_ratings(
                    feats[[index[id(j)] for j, _ in rated]], [y for _, y in rated]
                )
                scores = {"pairwise": feats @ w_pair, "absolute": feats @ w_abs}
            for kind, sc in scores.items():
                results.setdefault((n, m, kind), []).append(evaluate(sc))
            if (n, m) == (n_default, m_default):
                last_scores = scores
            fits += 2
            acc_pw = results[(n, m, "pairwise")][-1][0]
            acc_abs = results[(n, m, "absolute")][-1][0]
            progress.advance(
                0 if finetune else 1,
                metrics={
                    "labels": n,
                    "miscalibration": m,
                    "pairwise_accuracy": acc_pw,
                    "absolute_accuracy": acc_abs,
                },
            )
    fit_s = time.perf_counter() - t_fit

    def mean(n: int, m: float, kind: str, i: int) -> float:
        return statistics.fmean(r[i] for r in results[(n, m, kind)])

    def sd(n: int, m: float, kind: str, i: int) -> float:
        vals = [r[i] for r in results[(n, m, kind)]]
        return statistics.stdev(vals) if len(vals) > 1 else 0.0

    res = result_shell(base)
    kinds = ["pairwise", "absolute"]
    for i, metric in enumerate(["accuracy", "correlation"]):
        y_label = "held-out pair accuracy" if i == 0 else "correlation with gold"
        res["series"][f"{metric}_vs_labels"] = {
            "x_label": f"labels (miscalibration {m_default})",
            "y_label": y_label,
            "lines": {
                k: [[n, round(mean(n, m_default, k, i), 4)] for n in label_grid] for k in kinds
            },
        }
        res["series"][f"{metric}_vs_miscalibration"] = {
            "x_label": f"rater miscalibration ({n_default} labels)",
            "y_label": y_label,
            "lines": {
                k: [[m, round(mean(n_default, m, k, i), 4)] for m in mis_grid] for k in kinds
            },
        }
    rows = []
    for n, m in points:
        rows.append(
            [n, m]
            + [round(mean(n, m, k, i), 4) for k in kinds for i in (0, 1)]
            + [round(sd(n, m, "pairwise", 0), 4), round(sd(n, m, "absolute", 0), 4)]
        )
    res["tables"].append(
        {
            "title": f"Reward models from comparisons vs ratings (mean of {len(seeds)} seeds)",
            "columns": [
                "labels",
                "miscalibration",
                "pairwise_accuracy",
                "pairwise_correlation",
                "absolute_accuracy",
                "absolute_correlation",
                "pairwise_accuracy_sd",
                "absolute_accuracy_sd",
            ],
            "rows": rows,
        }
    )
    # samples: held-out responses with their gold and both proxies
    rng = random.Random(p["seed"])
    for j in rng.sample(test_items, min(8, len(test_items))):
        k = index[id(j)]
        for kind in kinds:
            res["samples"].append(
                {
                    "prompt": j.info.prompt,
                    "response": j.response,
                    "family": j.info.group,
                    "gold": j.gold,
                    "proxy": round(float(last_scores[kind][k]), 3),
                    "model": kind,
                }
            )

    acc_pw, acc_abs = (mean(n_default, m_default, k, 0) for k in kinds)
    cor_pw, cor_abs = (mean(n_default, m_default, k, 1) for k in kinds)

    def lead_from(i: int) -> float | None:
        """Smallest miscalibration from which comparisons lead at every larger one."""
        lead = None
        for m in reversed(mis_grid):
            if mean(n_default, m, "pairwise", i) > mean(n_default, m, "absolute", i):
                lead = m
            else:
                break
        return lead

    cross_acc, cross_cor = lead_from(0), lead_from(1)
    better = "beat" if acc_pw > acc_abs and cor_pw > cor_abs else "did not clearly beat"
    m0 = mis_grid[0]

    def lead_text(m: float | None) -> str:
        if m is None:
            return "at no miscalibration tried"
        if m == m0:
            return "at every miscalibration tried"
        return f"from miscalibration {m} up"

    res["headline"] = (
        f"With {n_default} labels from raters with miscalibration {m_default}, the reward model "
        f"trained on comparisons {better} the one regressed on 1-7 ratings: held-out pair "
        f"accuracy {pct(acc_pw)} vs {pct(acc_abs)}, correlation with gold {cor_pw:.2f} vs "
        f"{cor_abs:.2f}. With calibrated raters ({m0}) ratings reached "
        f"{pct(mean(n_default, m0, 'absolute', 0))} and {mean(n_default, m0, 'absolute', 1):.2f} "
        f"vs {pct(mean(n_default, m0, 'pairwise', 0))} and "
        f"{mean(n_default, m0, 'pairwise', 1):.2f}. Comparisons lead on accuracy "
        f"{lead_text(cross_acc)} and on correlation {lead_text(cross_cor)}."
    )
    res["findings"] = {
        "pairwise_accuracy": round(acc_pw, 4),
        "absolute_accuracy": round(acc_abs, 4),
        "pairwise_correlation": round(cor_pw, 4),
        "absolute_correlation": round(cor_abs, 4),
        "pairwise_leads_accuracy_from": cross_acc,
        "pairwise_leads_correlation_from": cross_cor,
    }
    res["timings"].update(
        load_s=round(load_s, 3),
        features_s=round(features_s, 3),
        feature_tokens=feature_tokens,
        fit_s=round(fit_s, 3),
        reward_models=fits,
        fits_per_s=round(fits / fit_s, 2),
        trainer="trl.RewardTrainer + transformers.Trainer" if finetune else "probe (project loop)",
        model_parameters=sum(x.numel() for x in model.parameters()),
    )
    progress.tick(total, force=True)
    return res


def _finetune_steps(n_labels: int) -> int:
    """About two epochs at batch 16, within [20, 120] steps."""
    return max(20, min(120, 2 * n_labels // 16))


def _finetune_scores(base, pairs, rated, items, seed, progress):
    """Whole-model reward models (TRL RewardTrainer and transformers Trainer)."""
    import torch

    steps = _finetune_steps(len(pairs))
    pw_model, tok, _ = rm.train_pairwise(
        base,
        [(c.info.prompt, c.response, r.response) for c, r in pairs],
        steps=steps,
        seed=seed,
        progress=progress,
        step_offset=progress.step,
    )
    abs_model, _, _ = rm.train_ratings(
        base,
        [(j.info.prompt, j.response, float(y)) for j, y in rated],
        steps=steps,
        seed=seed,
        progress=progress,
        step_offset=progress.step,
    )
    seqs = [(j.info.prompt, j.response) for j in items]
    return {
        "pairwise": torch.tensor(rm.score(pw_model, tok, seqs, progress=progress)),
        "absolute": torch.tensor(rm.score(abs_model, tok, seqs, progress=progress)),
    }


def _run_dataset(p: dict[str, Any], report: Report) -> dict[str, Any]:
    """A pairwise reward model on a JSONL dataset, scored on its own held-out pairs."""
    from workers.base_model import check_causal_lm, resolve_base_model
    from workers.experiments import EXPERIMENTS
    from workers.sft import read_jsonl

    rows = read_jsonl(p["dataset"], ("prompt", "chosen", "rejected"))
    if len(rows) < 10:
        raise world_error(f"dataset {p['dataset']} needs at least 10 rows, has {len(rows)}")
    base = resolve_base_model(report)
    check_causal_lm(base)
    random.Random(p["seed"]).shuffle(rows)
    k = max(1, int(len(rows) * 0.2))
    test, train = rows[:k], rows[k:]
    steps = max(20, min(200, 2 * len(train) // 16))
    progress = Progress(report, steps)
    progress.tick(0, force=True)
    t = time.perf_counter()
    model, tok, info = rm.train_pairwise(
        base,
        [(r["prompt"], r["chosen"], r["rejected"]) for r in train],
        steps=steps,
        seed=p["seed"],
        progress=progress,
    )
    sc = rm.score(
        model,
        tok,
        [(r["prompt"], r["chosen"]) for r in test] + [(r["prompt"], r["rejected"]) for r in test],
    )
    acc = sum(sc[i] > sc[i + len(test)] for i in range(len(test))) / len(test)
    res = result_shell(base)
    res["headline"] = (
        f"A pairwise reward model trained on {len(train)} pairs from {p['dataset']} ranked "
        f"{pct(acc)} of {len(test)} held-out pairs as the dataset does."
    )
    res["series"]["pairwise_loss"] = {
        "x_label": "step",
        "y_label": "Bradley-Terry loss",
        "lines": {"pairwise": [[s, round(v, 4)] for s, v in info["losses"]]},
    }
    res["tables"].append(
        {
            "title": "Held-out agreement",
            "columns": ["pairs", "accuracy"],
            "rows": [[len(test), round(acc, 4)]],
        }
    )
    res["notes"].append(EXPERIMENTS["pairwise_vs_absolute"].needs_gold)
    res["findings"] = {"pairwise_accuracy": round(acc, 4)}
    res["timings"].update(train_s=round(time.perf_counter() - t, 3), trainer="trl.RewardTrainer")
    progress.tick(steps, force=True)
    return res


def world_error(msg: str):
    from workers.runtime import LabInputError

    return LabInputError(msg)
