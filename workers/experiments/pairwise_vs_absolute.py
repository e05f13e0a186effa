"""Experiment 2: at the same number of labels, comparisons beat absolute ratings once the
raters disagree about the rating scale (and ratings can win when raters are calibrated)."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from workers import annotators as ann
from workers import reward_model as rm
from workers import world
from workers.base_model import check_causal_lm, resolve_base_model
from workers.experiments.catalogue import EXPERIMENTS
from workers.experiments.common import (
    load_base,
    mean_and_spread,
    pct,
    result_shell,
    seed_verdict,
)
from workers.runtime import LabInputError, Progress, Report
from workers.sft import read_jsonl

MISCALIBRATION_GRID = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
HELDOUT_SHARE = 0.27
KINDS = ("pairwise", "absolute")
TRAINERS = "trl.RewardTrainer + transformers.Trainer"
TABLE_COLUMNS = (
    "labels",
    "miscalibration",
    "pairwise_accuracy",
    "pairwise_correlation",
    "absolute_accuracy",
    "absolute_correlation",
    "pairwise_accuracy_sd",
    "absolute_accuracy_sd",
    "pairwise_correlation_sd",
    "absolute_correlation_sd",
    "accuracy_difference",
    "accuracy_difference_sd",
    "accuracy_verdict",
    "correlation_difference",
    "correlation_difference_sd",
    "correlation_verdict",
)
# How the page reads them (the web app labels columns it does not know from these).
TABLE_LABELS = (
    "Labels",
    "Rater miscalibration",
    "Pairwise: held-out accuracy",
    "Pairwise: correlation with gold",
    "Ratings: held-out accuracy",
    "Ratings: correlation with gold",
    "Pairwise accuracy, spread (SD)",
    "Ratings accuracy, spread (SD)",
    "Pairwise correlation, spread (SD)",
    "Ratings correlation, spread (SD)",
    "Accuracy: pairwise minus ratings",
    "Accuracy difference, spread (SD)",
    "Accuracy: which leads",
    "Correlation: pairwise minus ratings",
    "Correlation difference, spread (SD)",
    "Correlation: which leads",
)
TABLE_FORMATS = (
    "count",
    "number",
    "percent",
    "score",
    "percent",
    "score",
    "percent",
    "percent",
    "score",
    "score",
    "percent",
    "percent",
    "text",
    "score",
    "score",
    "text",
)
METRICS = ("accuracy", "correlation")
VERDICT_WORDS = {  # a comparison's verdict as the table shows it
    "pairwise": "comparisons lead",
    "ratings": "ratings lead",
    "tie": "tie (within noise)",
    "one seed": "one seed: not judged",
}


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    if p["dataset"]:
        return run_dataset(p, report)
    model, tokenizer, base, load_s = load_base(report)
    grid = Grid.of(p)
    per_fit = 2 * finetune_steps(grid.n) if grid.finetune else 1
    total = 2 + len(grid.points) * len(grid.seeds) * per_fit
    progress = Progress(report, total)
    progress.tick(0, {"load_seconds": load_s}, force=True)
    t = time.perf_counter()
    answers = labelled_answers(p, model, tokenizer, grid.finetune, progress)
    features_s = time.perf_counter() - t
    progress.tick(1, {"responses": len(answers.items)}, force=True)
    t_fit = time.perf_counter()
    results, last_scores = fit_reward_models(p, grid, answers, base, progress)
    fit_s = time.perf_counter() - t_fit
    res = summarise(p, grid, answers, results, last_scores, base)
    fits = 2 * len(grid.points) * len(grid.seeds)
    res["timings"].update(
        load_s=round(load_s, 3),
        features_s=round(features_s, 3),
        feature_tokens=answers.feature_tokens,
        fit_s=round(fit_s, 3),
        reward_models=fits,
        fits_per_s=round(fits / fit_s, 2),
        trainer=TRAINERS if grid.finetune else "probe (project loop)",
        model_parameters=sum(x.numel() for x in model.parameters()),
    )
    progress.tick(total, force=True)
    return res


@dataclass
class Grid:
    """The sweep: label counts at the headline miscalibration ``m``, miscalibrations at the
    headline label count ``n``, each point fitted for every seed. Fine-tuned reward models
    are too slow for a sweep: the headline point and calibrated raters, two seeds."""

    n: int
    m: float
    label_grid: list[int]
    mis_grid: list[float]
    seeds: list[int]
    finetune: bool
    points: list[tuple[int, float]]

    @classmethod
    def of(cls, p: dict[str, Any]) -> Grid:
        n, m = p["labels"], p["miscalibration"]
        label_grid = sorted({max(10, n // 4), max(10, n // 2), n, n * 2})
        mis_grid = sorted(set(MISCALIBRATION_GRID) | {m})
        seeds = [p["seed"] + i for i in range(p["seeds"])]
        finetune = p["rm_training"] == "finetune"
        if finetune:
            label_grid, mis_grid, seeds = [n], sorted({0.0, m}), seeds[:2]
        points = [(k, m) for k in label_grid] + [(n, x) for x in mis_grid]
        return cls(n, m, label_grid, mis_grid, seeds, finetune, list(dict.fromkeys(points)))


# ---------------------------------------------------------------------------------------
# The answers and the reward models
# ---------------------------------------------------------------------------------------
@dataclass
class Answers:
    """The labelled pool (training prompts), the held-out pool (the other prompts), their
    frozen features (probe mode), and the held-out measurements of a reward model."""

    pool_tr: list[list[ann.Judged]]
    items: list[ann.Judged]
    index: dict[int, int]  # id(answer) -> its row in the features and scores
    test_items: list[ann.Judged]
    test_pairs: list[tuple[ann.Judged, ann.Judged]]  # (better, worse) by gold
    feats: Any = None
    feature_tokens: int = 0

    def rows(self, judged) -> list[int]:
        return [self.index[id(j)] for j in judged]

    @cached_property
    def heldout(self):
        """(gold of every item, rows of the held-out items, of the better and of the worse
        answer of each held-out pair), as tensors."""
        import torch

        return (
            torch.tensor([j.gold for j in self.items]),
            torch.tensor(self.rows(self.test_items)),
            torch.tensor(self.rows(a for a, _ in self.test_pairs)),
            torch.tensor(self.rows(b for _, b in self.test_pairs)),
        )

    def evaluate(self, scores) -> tuple[float, float]:
        """Held-out pair accuracy and correlation with gold of a reward model's scores."""
        import torch

        gold, ti, pa, pb = self.heldout
        acc = (scores[pa] > scores[pb]).float().mean().item()
        corr = torch.corrcoef(torch.stack([scores[ti], gold[ti]]))[0, 1].item()
        return acc, (0.0 if corr != corr else corr)


def split(seed: int) -> tuple[list[world.PromptInfo], list[world.PromptInfo]]:
    infos = list(world.PROMPTS.values())
    random.Random(seed).shuffle(infos)
    k = int(len(infos) * (1 - HELDOUT_SHARE))
    return infos[:k], infos[k:]


def labelled_answers(p, model, tokenizer, finetune: bool, progress: Progress) -> Answers:
    train_infos, test_infos = split(p["seed"])
    pool_tr = ann.response_pool(train_infos, p["responses_per_prompt"], seed=p["seed"] + 1)
    pool_te = ann.response_pool(test_infos, p["responses_per_prompt"], seed=p["seed"] + 2)
    items = [j for g in pool_tr + pool_te for j in g]
    answers = Answers(
        pool_tr,
        items,
        {id(j): k for k, j in enumerate(items)},
        [j for g in pool_te for j in g],
        [(a, b) for g in pool_te for a in g for b in g if a.gold > b.gold + 0.05],
    )
    if not finetune:
        answers.feats, answers.feature_tokens = rm.sequence_features(
            model, tokenizer, [(j.info.prompt, j.response) for j in items], progress=progress
        )
    return answers


def fit_reward_models(p, grid: Grid, answers: Answers, base: str, progress: Progress):
    """For every point and seed, a pairwise and an absolute reward model from the same raters'
    labels. Returns ({(n, m, kind): [(accuracy, correlation) per seed]}, the headline point's
    last scores by kind)."""
    results: dict[tuple[int, float, str], list[tuple[float, float]]] = {}
    last_scores: dict[str, Any] = {}
    for n, m in grid.points:
        for s in grid.seeds:
            raters = ann.Annotators(
                noise=p["noise"], length_bias=p["length_bias"], miscalibration=m, seed=s
            )
            rng = random.Random(s)
            pairs = ann.sample_pairs(answers.pool_tr, n, raters, rng)
            rated = ann.sample_ratings(answers.pool_tr, n, raters, rng)
            if grid.finetune:
                scores = finetune_scores(base, pairs, rated, answers.items, s, progress)
            else:
                scores = probe_scores(answers, pairs, rated)
            for kind, sc in scores.items():
                results.setdefault((n, m, kind), []).append(answers.evaluate(sc))
            if (n, m) == (grid.n, grid.m):
                last_scores = scores
            progress.advance(
                0 if grid.finetune else 1,
                metrics={
                    "labels": n,
                    "miscalibration": m,
                    "pairwise_accuracy": results[(n, m, "pairwise")][-1][0],
                    "absolute_accuracy": results[(n, m, "absolute")][-1][0],
                },
            )
    return results, last_scores


def probe_scores(answers: Answers, pairs, rated) -> dict[str, Any]:
    """Linear heads on the frozen features: Bradley-Terry on the pairs, ridge regression on
    the ratings; each one's score of every item."""
    feats = answers.feats
    xc = feats[answers.rows(c for c, _ in pairs)]
    xr = feats[answers.rows(r for _, r in pairs)]
    w_pair = rm.fit_probe_pairwise(xc, xr)
    w_abs = rm.fit_probe_ratings(feats[answers.rows(j for j, _ in rated)], [y for _, y in rated])
    return {"pairwise": feats @ w_pair, "absolute": feats @ w_abs}


def finetune_steps(n_labels: int) -> int:
    """About two epochs at batch 16, within [20, 120] steps."""
    return max(20, min(120, 2 * n_labels // 16))


def finetune_scores(base, pairs, rated, items, seed, progress):
    """Whole-model reward models (TRL RewardTrainer and transformers Trainer)."""
    import torch

    steps = finetune_steps(len(pairs))
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


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
class Means:
    """Means and standard deviations over seeds of (accuracy, correlation): ``i`` 0 or 1;
    and the comparison of the two kinds at a point, seed by seed (``compare``)."""

    def __init__(self, results: dict[tuple[int, float, str], list[tuple[float, float]]]):
        self.results = results

    def mean(self, n: int, m: float, kind: str, i: int) -> float:
        return statistics.fmean(r[i] for r in self.results[(n, m, kind)])

    def sd(self, n: int, m: float, kind: str, i: int) -> float:
        vals = [r[i] for r in self.results[(n, m, kind)]]
        return statistics.stdev(vals) if len(vals) > 1 else 0.0

    def compare(self, n: int, m: float, i: int) -> Comparison:
        """Pairwise minus absolute at one point, seed by seed (both kinds of each seed come
        from the same raters), and whether the mean difference stands out of its spread."""
        diffs = [
            a[i] - b[i]
            for a, b in zip(
                self.results[(n, m, "pairwise")], self.results[(n, m, "absolute")], strict=True
            )
        ]
        return Comparison(*mean_and_spread(diffs))


@dataclass(frozen=True)
class Comparison:
    """Pairwise minus absolute, averaged over seeds, and the spread (standard deviation) of
    that difference over seeds (None with one seed). A lead counts only when the mean
    difference is larger than its spread; inside it the two are tied within noise."""

    difference: float
    sd: float | None

    @property
    def verdict(self) -> str:
        return seed_verdict(self.difference, self.sd, up="pairwise", down="ratings", tie="tie")


def summarise(p, grid: Grid, answers: Answers, results, last_scores, base) -> dict[str, Any]:
    means = Means(results)
    res = result_shell(base)
    res["series"].update(series(grid, means))
    rows = []
    for n, m in grid.points:
        row: list[Any] = [n, m]
        row += [round(means.mean(n, m, k, i), 4) for k in KINDS for i in (0, 1)]
        row += [round(means.sd(n, m, k, i), 4) for i in (0, 1) for k in KINDS]
        for i in (0, 1):
            c = means.compare(n, m, i)
            row += [
                round(c.difference, 4),
                None if c.sd is None else round(c.sd, 4),
                VERDICT_WORDS[c.verdict],
            ]
        rows.append(row)
    res["tables"].append(
        {
            "title": f"Reward models from comparisons vs ratings (mean of {len(grid.seeds)} "
            "seeds; a lead counts when the difference is larger than its spread over seeds)",
            "columns": list(TABLE_COLUMNS),
            "labels": list(TABLE_LABELS),
            "formats": list(TABLE_FORMATS),
            "rows": rows,
        }
    )
    res["samples"] = heldout_samples(p, answers, last_scores)
    leads = (lead_from(grid, means, 0), lead_from(grid, means, 1))
    res["headline"] = headline(grid, means, leads)
    at = {k: (means.mean(grid.n, grid.m, k, 0), means.mean(grid.n, grid.m, k, 1)) for k in KINDS}
    res["findings"] = {
        "pairwise_accuracy": round(at["pairwise"][0], 4),
        "absolute_accuracy": round(at["absolute"][0], 4),
        "pairwise_correlation": round(at["pairwise"][1], 4),
        "absolute_correlation": round(at["absolute"][1], 4),
        "pairwise_leads_accuracy_from": leads[0],
        "pairwise_leads_correlation_from": leads[1],
    }
    for name, m in (("", grid.m), ("calibrated_", grid.mis_grid[0])):
        for i, metric in enumerate(METRICS):
            c = means.compare(grid.n, m, i)
            res["findings"][f"{name}{metric}_difference"] = round(c.difference, 4)
            res["findings"][f"{name}{metric}_difference_sd"] = (
                None if c.sd is None else round(c.sd, 4)
            )
    if len(grid.seeds) == 1:
        res["notes"].append(
            "one seed: no spread over seeds to tell a lead from noise (run 2 or more seeds)"
        )
    return res


def series(grid: Grid, means: Means) -> dict[str, Any]:
    out = {}
    for i, metric in enumerate(["accuracy", "correlation"]):
        y_label = "held-out pair accuracy" if i == 0 else "correlation with gold"
        out[f"{metric}_vs_labels"] = {
            "x_label": f"labels (miscalibration {grid.m})",
            "y_label": y_label,
            "lines": {
                k: [[n, round(means.mean(n, grid.m, k, i), 4)] for n in grid.label_grid]
                for k in KINDS
            },
        }
        out[f"{metric}_vs_miscalibration"] = {
            "x_label": f"rater miscalibration ({grid.n} labels)",
            "y_label": y_label,
            "lines": {
                k: [[m, round(means.mean(grid.n, m, k, i), 4)] for m in grid.mis_grid]
                for k in KINDS
            },
        }
    return out


def heldout_samples(p, answers: Answers, last_scores) -> list[dict[str, Any]]:
    """Held-out responses with their gold and both proxies (the headline point's last seed)."""
    out = []
    rng = random.Random(p["seed"])
    for j in rng.sample(answers.test_items, min(8, len(answers.test_items))):
        k = answers.index[id(j)]
        for kind in KINDS:
            out.append(
                {
                    "prompt": j.info.prompt,
                    "response": j.response,
                    "family": j.info.group,
                    "gold": j.gold,
                    "proxy": round(float(last_scores[kind][k]), 3),
                    "model": kind,
                }
            )
    return out


def lead_from(grid: Grid, means: Means, i: int) -> float | None:
    """Smallest miscalibration from which comparisons lead beyond noise at every larger
    one."""
    lead = None
    for m in reversed(grid.mis_grid):
        if means.compare(grid.n, m, i).verdict == "pairwise":
            lead = m
        else:
            break
    return lead


# ---------------------------------------------------------------------------------------
# A JSONL dataset instead of the world
# ---------------------------------------------------------------------------------------
def run_dataset(p: dict[str, Any], report: Report) -> dict[str, Any]:
    """A pairwise reward model on a JSONL dataset, scored on its own held-out pairs."""
    rows = read_jsonl(p["dataset"], ("prompt", "chosen", "rejected"))
    if len(rows) < 10:
        raise LabInputError(f"dataset {p['dataset']} needs at least 10 rows, has {len(rows)}")
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
    sequences = [(r["prompt"], r["chosen"]) for r in test]
    sequences += [(r["prompt"], r["rejected"]) for r in test]
    sc = rm.score(model, tok, sequences)
    acc = sum(sc[i] > sc[i + len(test)] for i in range(len(test))) / len(test)
    res = result_shell(base)
    res["headline"] = dataset_headline(p, len(train), len(test), acc)
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


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(grid: Grid, means: Means, leads: tuple[float | None, float | None]) -> str:
    def at(m: float, kind: str, i: int) -> float:
        return means.mean(grid.n, m, kind, i)

    m0 = grid.mis_grid[0]
    text = (
        f"With {grid.n} labels from raters with miscalibration {grid.m:g}: "
        f"{point_text(grid, means, grid.m)}. With calibrated raters ({m0:g}): "
        f"{point_text(grid, means, m0)}."
    )
    if len(grid.seeds) == 1:
        return text + (
            " One seed gives no spread over seeds, so no difference here can be told from "
            "noise: run with 2 or more seeds."
        )

    def lead_text(m: float | None) -> str:
        if m is None:
            return "at no miscalibration tried"
        if m == m0:
            return "at every miscalibration tried"
        return f"from miscalibration {m:g} up"

    ties = []
    for i, metric in enumerate(METRICS):
        tied = [m for m in grid.mis_grid if means.compare(grid.n, m, i).verdict == "tie"]
        if tied:
            ties.append(f"{metric} at miscalibration {', '.join(f'{m:g}' for m in tied)}")
    text += (
        f" Beyond the spread over {len(grid.seeds)} seeds, comparisons lead on accuracy "
        f"{lead_text(leads[0])} and on correlation {lead_text(leads[1])}"
    )
    return text + (f"; tied within noise on {' and '.join(ties)}." if ties else ".")


def point_text(grid: Grid, means: Means, m: float) -> str:
    """Both measures at one miscalibration: the means, the difference, its spread and
    which leads (or a tie within noise)."""
    parts = []
    for i in (0, 1):
        pw, ab = means.mean(grid.n, m, "pairwise", i), means.mean(grid.n, m, "absolute", i)
        c = means.compare(grid.n, m, i)
        show = pct if i == 0 else (lambda x: f"{x:.2f}")
        label = "held-out pair accuracy" if i == 0 else "correlation with gold"
        spread = "" if c.sd is None else f", spread of the difference {show(c.sd)}"
        verdict = {
            "tie": "a tie within noise",
            "pairwise": "comparisons lead",
            "ratings": "ratings lead",
            "one seed": "one seed, not judged",
        }[c.verdict]
        parts.append(f"{label} {show(pw)} (comparisons) vs {show(ab)} (ratings){spread}: {verdict}")
    return "; ".join(parts)


def dataset_headline(p, n_train: int, n_test: int, acc: float) -> str:
    return (
        f"A pairwise reward model trained on {n_train} pairs from {p['dataset']} ranked "
        f"{pct(acc)} of {n_test} held-out pairs as the dataset does."
    )
