"""A reward model from a class's own preference labels, next to one from simulated
annotators who labelled the very same pairs; both checked against the gold score."""

from __future__ import annotations

import random
import time
from typing import Any

from workers import annotators as ann
from workers import reward_model as rm
from workers import world
from workers.experiments.common import load_base, pct, result_shell
from workers.runtime import LabInputError, Progress, Report
from workers.sft import read_jsonl


def read_labels(path: str) -> list[tuple[ann.Judged, ann.Judged]]:

    rows = read_jsonl(path, ("prompt", "chosen", "rejected"))
    pairs = []
    for number, row in enumerate(rows, start=1):
        info = world.prompt_info(row["prompt"])
        if info is None:
            raise LabInputError(
                f"{path}:{number}: the prompt is not one of the lab world's, so it has no gold "
                "score; this experiment needs labels on the world's pairs"
            )
        pairs.append((ann.judge(info, row["chosen"]), ann.judge(info, row["rejected"])))
    if len(pairs) < 4:
        raise LabInputError(f"{path}: needs at least 4 labels (not ties), has {len(pairs)}")
    return pairs


def _gold_agreement(pairs: list[tuple[ann.Judged, ann.Judged]]) -> float:
    decided = [(c, r) for c, r in pairs if abs(c.gold - r.gold) > 1e-9]
    return sum(c.gold > r.gold for c, r in decided) / len(decided) if decided else 0.0


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    if not p["labels"]:
        raise LabInputError("class_reward_model: parameter labels (a JSONL file) is required")
    class_pairs = read_labels(p["labels"])
    model, tokenizer, base, load_s = load_base(report)
    progress = Progress(report, 4)
    progress.tick(0, {"load_seconds": load_s}, force=True)
    raters = ann.Annotators(noise=p["noise"], length_bias=p["length_bias"], seed=p["seed"])
    simulated = [raters.compare(c, r) for c, r in class_pairs]
    pool = heldout_pool(p, class_pairs)
    test_pairs = [(a, b) for g in pool for a in g for b in g if a.gold > b.gold + 0.05]
    random.Random(p["seed"]).shuffle(test_pairs)
    items = [j for pair in class_pairs + simulated for j in pair] + [j for g in pool for j in g]
    t = time.perf_counter()
    probes = Probes(model, tokenizer, items, progress)
    progress.tick(1, force=True)
    class_acc = probes.accuracy(probes.fit(class_pairs), test_pairs)
    progress.tick(2, {"class_rm_accuracy": class_acc}, force=True)
    sim_acc = probes.accuracy(probes.fit(simulated), test_pairs)
    progress.tick(3, {"simulated_rm_accuracy": sim_acc}, force=True)
    fit_s = time.perf_counter() - t
    res = summarise(base, class_pairs, simulated, class_acc, sim_acc, len(test_pairs))
    res["timings"].update(
        load_s=round(load_s, 3), fit_s=round(fit_s, 3), feature_tokens=probes.tokens
    )
    progress.tick(4, force=True)
    return res


def heldout_pool(p, class_pairs) -> list[list[ann.Judged]]:
    """Five answers to each of up to 10 prompts per group that the class did not label."""
    labelled = {c.info.prompt for c, _ in class_pairs}
    test_infos = [
        i
        for i in world.eval_prompts(per_group=10, seed=p["seed"] + 101)
        if i.prompt not in labelled
    ]
    return ann.response_pool(test_infos, 5, seed=p["seed"] + 102)


class Probes:
    """Probe reward models (a linear head on the frozen base model's features) over
    ``items``, whose features are computed once."""

    def __init__(self, model, tokenizer, items: list[ann.Judged], progress: Progress):
        self.index = {id(j): k for k, j in enumerate(items)}
        self.feats, self.tokens = rm.sequence_features(
            model, tokenizer, [(j.info.prompt, j.response) for j in items], progress=progress
        )

    def fit(self, pairs):
        """The score of every item by a probe trained on (chosen, rejected) ``pairs``."""
        xc = self.feats[[self.index[id(c)] for c, _ in pairs]]
        xr = self.feats[[self.index[id(r)] for _, r in pairs]]
        return self.feats @ rm.fit_probe_pairwise(xc, xr)

    def accuracy(self, scores, test_pairs) -> float:
        """How often ``scores`` rank the better answer of a held-out pair first."""
        wins = [scores[self.index[id(a)]] > scores[self.index[id(b)]] for a, b in test_pairs]
        return float(sum(bool(w) for w in wins) / len(wins))


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def summarise(base, class_pairs, simulated, class_acc, sim_acc, n_test) -> dict[str, Any]:
    class_gold, sim_gold = _gold_agreement(class_pairs), _gold_agreement(simulated)
    together = sum(s[0] is c for (c, _), s in zip(class_pairs, simulated, strict=True))
    n = len(class_pairs)
    res = result_shell(base)
    res["headline"] = headline(n, n_test, class_gold, sim_gold, together / n, class_acc, sim_acc)
    res["tables"].append(
        {
            "title": "Labels and reward models against the gold score",
            "columns": ["labeller", "labels", "agree_with_gold", "rm_heldout_accuracy"],
            "rows": [
                ["class", n, round(class_gold, 4), round(class_acc, 4)],
                ["simulated annotators", n, round(sim_gold, 4), round(sim_acc, 4)],
            ],
        }
    )
    res["series"]["agreement"] = {
        "x_label": "measure",
        "y_label": "fraction",
        "lines": {
            name: [
                ["labels agree with gold", round(gold, 4)],
                ["RM held-out accuracy", round(acc, 4)],
            ]
            for name, gold, acc in (
                ("class", class_gold, class_acc),
                ("simulated", sim_gold, sim_acc),
            )
        },
    }
    for c, r in class_pairs[:6]:
        res["samples"] += [label_sample(c, "class chose"), label_sample(r, "class rejected")]
    res["findings"] = {
        "class_gold_agreement": round(class_gold, 4),
        "simulated_gold_agreement": round(sim_gold, 4),
        "class_rm_accuracy": round(class_acc, 4),
        "simulated_rm_accuracy": round(sim_acc, 4),
    }
    return res


def label_sample(j: ann.Judged, model: str) -> dict[str, Any]:
    return {
        "prompt": j.info.prompt,
        "response": j.response,
        "family": j.info.group,
        "gold": round(j.gold, 3),
        "model": model,
    }


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(n, n_test, class_gold, sim_gold, together, class_acc, sim_acc) -> str:
    return (
        f"The class's {n} labels agree with the gold score on {pct(class_gold)} of pairs, the "
        f"simulated annotators on the same pairs {pct(sim_gold)} (the two agree with each other "
        f"on {pct(together)}). A reward model trained on the class's labels ranks "
        f"{pct(class_acc)} of {n_test} held-out pairs as the gold score does; one trained on the "
        f"simulated annotators' labels, {pct(sim_acc)}."
    )
