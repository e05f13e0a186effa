"""Experiment 5: over- vs under-refusal. Annotators who weigh safety more (a bonus for any
refusal, on top of Bradley-Terry noise around gold) teach a reward model to prefer refusals
everywhere: the policy that picks the reward model's favourite of the candidate answers
(best-of-n over one answer of each style) refuses more harmful requests and more harmless
borderline ones too, a frontier. With ``policy=rloo`` the SFT model is also trained with
RLOO against a whole-model reward model at three safety weights, and each trained policy's
refusal rates are measured.

The frontier's reward models are linear heads on the frozen base model's features (the
probe of experiment 2), so a sweep of safety weights x seeds fits in seconds. The course's
dosage scenario (Scenario A/B) is its own experiment, ``dosage_tradeoff``."""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from workers import annotators as ann
from workers import reward_model as rm
from workers import rl, world
from workers.experiments import rlhf_setup as rs
from workers.experiments.common import (
    load_base,
    mean_and_spread,
    pct,
    result_shell,
    seed_verdict,
)
from workers.generation import evaluate_gold
from workers.runtime import Progress, Report
from workers.sft import train_sft

WEIGHTS = [-5.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0]
RL_TOP_WEIGHT = 5.0  # the RL option's most safety-minded reward model
EVAL_GROUPS = (
    "harmful",
    "heldout_alike",
    "heldout_unlike",
    "adversarial",
    "borderline",
    "howto",
    "dosage_professional",
    "dosage_at_risk",
)
HARM_GROUPS = ("harmful", "heldout_alike", "heldout_unlike", "adversarial")
NEUTRAL = 0.0  # annotators who judge the answer alone: neither half of the pendulum
FRONTIER_COLUMNS = (
    "safety_weight",
    "refusal_harmful",
    "refusal_borderline",
    "mean_gold",
    "refusal_harmful_sd",
    "refusal_borderline_sd",
)
FRONTIER_LABELS = (
    "Annotators' safety weight",
    "Refused: harmful",
    "Refused: borderline",
    "Mean gold score",
    "Refused: harmful, spread (SD)",
    "Refused: borderline, spread (SD)",
)
FRONTIER_FORMATS = ("text", "percent", "percent", "score", "percent", "percent")
RM_LR = 1e-3  # the RL option's whole-model reward models (at TRL's 3e-4 too slow to learn)

# The RL option (policy=rloo)
RL_KL_COEF = 0.1
RL_LR = 1.5e-4
RL_EVAL_PER_GROUP = 12
RL_EVAL_SAMPLES = 8
RL_GROUP_NAMES = {
    "harmful": "harmful (SFT-covered)",
    "heldout_alike": f"held out, familiar phrasing ({world.HELDOUT_ALIKE})",
    "heldout_unlike": f"held out, how-to phrasing ({world.HELDOUT_UNLIKE})",
    "adversarial": "role-play wrapped",
    "borderline": "borderline (harmless)",
    "howto": "how-to (harmless)",
}


def run(p: dict[str, Any], report: Report) -> dict[str, Any]:
    model, tok, base, load_s = load_base(report)
    weights = sorted(set(WEIGHTS) | {p["safety_weight"]})
    seeds = [p["seed"] + i for i in range(p["seeds"])]
    rl_weights = rl_safety_weights(p)
    total = total_steps(p, weights, seeds, rl_weights)
    progress = Progress(report, total)
    progress.tick(0, {"load_seconds": load_s}, force=True)
    t = time.perf_counter()
    answers = scored_answers(p, model, tok, progress)
    features_s = time.perf_counter() - t
    progress.tick(1, {"responses": len(answers.items)}, force=True)
    frontier = best_of_n_frontier(p, answers, weights, seeds, progress)
    # the RL option last: whatever it draws from the random generators leaves the rest as is
    rl_rows: dict[Any, dict[str, Any]] = {}
    rl_s = 0.0
    if rl_weights:
        t = time.perf_counter()
        rl_rows = rl_frontier(p, model, tok, base, answers.pool, rl_weights, progress)
        rl_s = time.perf_counter() - t
    res = summarise(p, base, weights, seeds, frontier, rl_rows)
    res["timings"].update(
        load_s=round(load_s, 3),
        features_s=round(features_s, 3),
        reward_models=len(weights) * len(seeds),
        trainer=trainer_names(p, rl_rows),
        model_parameters=sum(x.numel() for x in model.parameters()),
        rl_s=round(rl_s, 3),
    )
    progress.tick(total, force=True)
    return res


def total_steps(p, weights, seeds, rl_weights) -> int:
    """The run's progress total: 2 (the features), one step per probe fit (weight x seed),
    and with the RL option the SFT steps plus a reward model and an RL run per weight."""
    rm_steps = rs.rm_steps(p["pairs"])
    rl_total = rs.SFT_STEPS + len(rl_weights) * (p["rl_steps"] + rm_steps) if rl_weights else 0
    return 2 + len(weights) * len(seeds) + rl_total


def rl_safety_weights(p: dict[str, Any]) -> list[float]:
    """The safety weights whose reward models the RL option trains a policy against."""
    if p["policy"] != "rloo":
        return []
    return sorted({0.0, p["safety_weight"], RL_TOP_WEIGHT})


# ---------------------------------------------------------------------------------------
# The answers: what the annotators label, what best-of-n picks from, and their features
# ---------------------------------------------------------------------------------------
class SafetyAnnotators(ann.Annotators):
    """Simulated raters who also add ``safety_weight`` (in logits) to any refusal."""

    def __init__(self, *, safety_weight: float, **kw: Any):
        super().__init__(**kw)
        self.safety_weight = safety_weight

    def _bias(self, item: ann.Judged) -> float:
        return super()._bias(item) + self.safety_weight * world.is_refusal(item.response)


def candidates(infos: list[world.PromptInfo], seed: int) -> list[list[ann.Judged]]:
    """One answer of every style per prompt (duplicates dropped)."""
    rng = random.Random(seed)
    out = []
    for info in infos:
        seen: dict[str, ann.Judged] = {}
        for style in world.RESPONSE_STYLES:
            text = world.response_of_style(info, style, rng)
            seen.setdefault(text, ann.judge(info, text))
        out.append(list(seen.values()))
    return out


@dataclass
class Answers:
    """Every answer the run scores, with the frozen base model's features of each."""

    pool: list[list[ann.Judged]]  # the general pool the annotators label
    candidates: list[list[ann.Judged]]  # one answer per style to harmful/borderline prompts
    items: list[ann.Judged]
    index: dict[int, int]  # id(answer) -> its row in the features
    features: Any

    def fit(self, feats, pairs):
        """A probe reward model on ``pairs``: its score of every item."""
        xc = feats[[self.index[id(c)] for c, _ in pairs]]
        xr = feats[[self.index[id(r)] for _, r in pairs]]
        return feats @ rm.fit_probe_pairwise(xc, xr)

    def best_of(self, scores) -> dict[str, list[ann.Judged]]:
        """The highest-scored answer of each candidate group, by prompt group."""
        chosen: dict[str, list[ann.Judged]] = defaultdict(list)
        for group in self.candidates:
            best = max(group, key=lambda j: float(scores[self.index[id(j)]]))
            chosen[best.info.group].append(best)
        return chosen


def scored_answers(p, model, tok, progress: Progress) -> Answers:
    infos = list(world.PROMPTS.values())
    pool = ann.response_pool(infos, p["responses_per_prompt"], seed=p["seed"] + 1)
    cand = candidates([i for i in infos if i.group in EVAL_GROUPS], seed=p["seed"] + 2)
    items = [j for g in pool + cand for j in g]
    feats, _ = rm.sequence_features(
        model, tok, [(j.info.prompt, j.response) for j in items], progress=progress
    )
    index = {id(j): k for k, j in enumerate(items)}
    return Answers(pool, cand, items, index, feats)


def refusal(chosen: dict[str, list[ann.Judged]], groups) -> float:
    picked = [j for g in groups for j in chosen[g]]
    return sum(world.is_refusal(j.response) for j in picked) / len(picked)


# ---------------------------------------------------------------------------------------
# The frontier (best-of-n)
# ---------------------------------------------------------------------------------------
def best_of_n_frontier(p, answers: Answers, weights, seeds, progress: Progress):
    """Per safety weight, per seed: a probe reward model from that weight's annotators picks
    the answers; (refusal of harmful, refusal of borderline, mean gold) of its picks."""
    frontier: dict[float, list[tuple[float, float, float]]] = defaultdict(list)
    for w in weights:
        for s in seeds:
            raters = SafetyAnnotators(safety_weight=w, noise=p["noise"], seed=s)
            pairs = ann.sample_pairs(answers.pool, p["pairs"], raters, random.Random(s))
            chosen = answers.best_of(answers.fit(answers.features, pairs))
            gold = statistics.fmean(j.gold for g in chosen.values() for j in g)
            point = (refusal(chosen, HARM_GROUPS), refusal(chosen, ["borderline"]), gold)
            frontier[w].append(point)
            progress.advance(
                metrics={
                    "safety_weight": w,
                    "refusal_harmful": point[0],
                    "refusal_borderline": point[1],
                }
            )
    return frontier


# ---------------------------------------------------------------------------------------
# The RL option: RLOO policies against whole-model reward models
# ---------------------------------------------------------------------------------------
def rl_frontier(p, model, tok, base, pool, rl_weights, progress):
    """RLOO from the SFT model against a whole-model reward model (TRL ``RewardTrainer``)
    from the labels of every safety weight in ``rl_weights`` (the first seed's annotators);
    each policy's refusal rates and gold on a fixed, family-balanced set of prompts. Probe
    reward models (the frontier's) were no use as RL rewards: at lr 3e-4 the policy found
    answers their linear heads scored high and stopped refusing most harmful requests.
    Returns {"SFT": ..., weight: ...}."""
    infos = world.eval_prompts(per_group=RL_EVAL_PER_GROUP, seed=p["seed"] + 9)
    sft = rs.trainable_copy(model)
    train_sft(
        sft,
        tok,
        world.sft_examples(seed=p["seed"]),
        steps=rs.SFT_STEPS,
        seed=p["seed"],
        progress=progress,
        step_offset=progress.step,
    )
    sft = rl.frozen_copy(sft)
    out = {"SFT": rl_measure(sft, tok, infos, p["seed"], progress)}
    for w in rl_weights:
        raters = SafetyAnnotators(safety_weight=w, noise=p["noise"], seed=p["seed"])
        pairs = ann.sample_pairs(pool, p["pairs"], raters, random.Random(p["seed"]))
        data = [(c.info.prompt, c.response, r.response) for c, r in pairs]
        rm_model, rm_tok = rs.whole_reward_model(
            base, data, lr=RM_LR, seed=p["seed"], progress=progress
        )
        policy = rs.trainable_copy(sft)
        cfg = rs.rl_config(
            {"steps": p["rl_steps"], "seed": p["seed"]},
            kl_coef=RL_KL_COEF,
            lr=RL_LR,
            prompts_per_step=16,
            samples_per_prompt=4,
            max_new_tokens=32,
        )
        rl.train_rloo(
            policy,
            sft,
            tok,
            rl.reward_model_fn(rm_model, rm_tok),
            rs.rl_prompts(),
            cfg,
            progress=progress,
            step_offset=progress.step,
            prefix=f"w{w:g}_",
            label=f"rloo safety weight {w:g}",
            report_keys=("proxy_reward", "kl", "refusal_harmful", "refusal_borderline", "gold"),
        )
        out[w] = rl_measure(policy, tok, infos, p["seed"], progress)
    return out


def rl_measure(policy, tok, infos, seed: int, progress) -> dict[str, Any]:
    """Refusal rates (harmful, borderline, by group) and gold of ``RL_EVAL_SAMPLES`` answers
    per prompt, and the first borderline answer: over-refusal, or not."""
    ev = evaluate_gold(
        policy,
        tok,
        infos,
        progress=progress,
        samples_per_prompt=RL_EVAL_SAMPLES,
        seed=seed + 11,
        max_new_tokens=32,
    )
    recs = ev["records"]

    def rate(groups) -> float:
        picked = [r["refused"] for r in recs if r["info"].group in groups]
        return sum(picked) / len(picked)

    example = next(r for r in recs if r["info"].group == "borderline")
    by_group = {g: rate([g]) for g in RL_GROUP_NAMES}
    return {
        "refusal_harmful": rate(HARM_GROUPS),
        "refusal_borderline": by_group["borderline"],
        "by_group": by_group,
        "gold": ev["mean_gold"],
        "example": example,
    }


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
def summarise(p, base, weights, seeds, frontier, rl_rows):
    def mean(w: float, i: int) -> float:
        return statistics.fmean(x[i] for x in frontier[w])

    res = result_shell(base)
    res["series"].update(frontier_series(weights, mean))
    res["tables"].append(
        {
            "title": f"Best-of-n by the reward model, mean of {len(seeds)} seeds (safety weight "
            "below 0: annotators who penalise any refusal, a push for helpfulness)",
            "columns": list(FRONTIER_COLUMNS),
            "labels": list(FRONTIER_LABELS),
            "formats": list(FRONTIER_FORMATS),
            "rows": [
                [w, round(mean(w, 0), 3), round(mean(w, 1), 3), round(mean(w, 2), 3)]
                + [round(sd(frontier, w, 0), 3), round(sd(frontier, w, 1), 3)]
                for w in weights
            ],
        }
    )
    if rl_rows:
        add_rl_results(res, p, seeds[0], rl_rows)
    res["headline"] = headline(weights, frontier, mean, rl_rows)
    res["findings"] = findings(weights, frontier, mean, rl_rows)
    res["notes"] += notes(rl_rows)
    return res


def frontier_series(weights, mean) -> dict[str, Any]:
    return {
        "refusal_frontier": {
            "x_label": "refusal rate on harmful requests",
            "y_label": "refusal rate on borderline requests",
            "lines": {
                "safety weight " + "/".join(f"{w:g}" for w in weights): [
                    [round(mean(w, 0), 4), round(mean(w, 1), 4)] for w in weights
                ],
                f"neutral annotators (safety weight {NEUTRAL:g})": [
                    [round(mean(NEUTRAL, 0), 4), round(mean(NEUTRAL, 1), 4)]
                ],
            },
        },
        "refusal_vs_safety_weight": {
            "x_label": "annotators' safety weight (logits added to any refusal)",
            "y_label": "refusal rate",
            "lines": {
                "harmful": [[w, round(mean(w, 0), 4)] for w in weights],
                "borderline": [[w, round(mean(w, 1), 4)] for w in weights],
            },
        },
    }


def sd(frontier, w: float, i: int) -> float:
    """Standard deviation over seeds of one frontier measure (0 with one seed)."""
    vals = [x[i] for x in frontier[w]]
    return statistics.stdev(vals) if len(vals) > 1 else 0.0


@dataclass(frozen=True)
class Shift:
    """A refusal rate at one safety weight minus the neutral annotators' (``NEUTRAL``),
    averaged over seeds (the same seed's annotators label the same pairs), and the spread
    (standard deviation) of that change over seeds: None with one seed. A change inside its
    spread is within noise."""

    change: float
    sd: float | None

    @property
    def verdict(self) -> str:
        return seed_verdict(self.change, self.sd, up="up", down="down", tie="within noise")


def shift(frontier, w: float, i: int) -> Shift:
    diffs = [a[i] - b[i] for a, b in zip(frontier[w], frontier[NEUTRAL], strict=True)]
    return Shift(*mean_and_spread(diffs))


def policy_name(w) -> str:
    return w if w == "SFT" else f"safety weight {w:g}"


def add_rl_results(res, p, seed: int, rl_rows) -> None:
    """The RL option's samples (one borderline answer per policy), its points on both
    frontier charts, and its tables: refusal and gold per policy, refusal by prompt group."""
    for w, r in rl_rows.items():
        ex = r["example"]
        res["samples"].append(
            {
                "prompt": ex["info"].prompt,
                "response": ex["response"],
                "family": "borderline",
                "gold": round(ex["gold"], 3),
                "model": "SFT" if w == "SFT" else f"RLOO, safety weight {w:g}",
            }
        )
    points = [(w, r) for w, r in rl_rows.items() if w != "SFT"]
    line = "RLOO policies, safety weight " + "/".join(f"{w:g}" for w, _ in points)
    res["series"]["refusal_frontier"]["lines"][line] = [
        [round(r["refusal_harmful"], 4), round(r["refusal_borderline"], 4)] for _, r in points
    ]
    res["series"]["refusal_vs_safety_weight"]["lines"].update(
        {
            "harmful, RLOO": [[float(w), round(r["refusal_harmful"], 4)] for w, r in points],
            "borderline, RLOO": [[float(w), round(r["refusal_borderline"], 4)] for w, r in points],
        }
    )
    res["tables"].append(
        {
            "title": "RLOO from the SFT model against each reward model "
            f"({p['rl_steps']} steps, KL coef {RL_KL_COEF:g}; seed {seed}; "
            f"sampled answers to {RL_EVAL_PER_GROUP} prompts per group x {RL_EVAL_SAMPLES})",
            "columns": ["policy", "refusal_harmful", "refusal_borderline", "mean_gold"],
            "rows": [
                [
                    policy_name(w),
                    round(r["refusal_harmful"], 3),
                    round(r["refusal_borderline"], 3),
                    round(r["gold"], 3),
                ]
                for w, r in rl_rows.items()
            ],
        }
    )
    # Which harmful requests RL taught the policy to refuse, and which it did not.
    res["tables"].append(
        {
            "title": "Refusal rate by prompt group: the SFT model and the RLOO policies",
            "columns": ["policy", *RL_GROUP_NAMES.values()],
            "rows": [
                [policy_name(w), *(round(r["by_group"][g], 3) for g in RL_GROUP_NAMES)]
                for w, r in rl_rows.items()
            ],
        }
    )


def findings(weights, frontier, mean, rl_rows) -> dict[str, Any]:
    out: dict[str, Any] = {
        **{f"refusal_harmful_w{w:g}": round(mean(w, 0), 4) for w in weights},
        **{f"refusal_borderline_w{w:g}": round(mean(w, 1), 4) for w in weights},
    }
    # the two halves of the pendulum, each against the neutral annotators, seed by seed
    for name, w, i in (("under_refusal", weights[0], 0), ("over_refusal", weights[-1], 1)):
        c = shift(frontier, w, i)
        out[f"{name}_change"] = round(c.change, 4)
        out[f"{name}_change_sd"] = None if c.sd is None else round(c.sd, 4)
    policies = [(w, r) for w, r in rl_rows.items() if w != "SFT"]
    out.update({f"rl_refusal_harmful_w{w:g}": round(r["refusal_harmful"], 4) for w, r in policies})
    out.update(
        {f"rl_refusal_borderline_w{w:g}": round(r["refusal_borderline"], 4) for w, r in policies}
    )
    if rl_rows:
        out["sft_refusal_harmful"] = round(rl_rows["SFT"]["refusal_harmful"], 4)
        out["sft_refusal_borderline"] = round(rl_rows["SFT"]["refusal_borderline"], 4)
    return out


def trainer_names(p, rl_rows) -> str:
    return "probe reward models (project loop)" + (
        "; policy=rloo: trl.RewardTrainer + project RLOO loop (workers.rl)" if rl_rows else ""
    )


# ---------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------
def headline(weights, frontier, mean, rl_rows) -> str:
    lo, hi, k = weights[0], weights[-1], len(frontier[NEUTRAL])
    text = (
        f"Annotators who judge the answer alone (safety weight {NEUTRAL:g}) taught a reward "
        f"model whose favourite answers refused {pct(mean(NEUTRAL, 0))} of harmful requests "
        f"and {pct(mean(NEUTRAL, 1))} of harmless borderline ones. Pushed toward helpfulness "
        f"(weight {lo:g}: a penalty on any refusal), "
        + half_text(shift(frontier, lo, 0), mean(lo, 0), "harmful", k)
        + f". Pushed toward safety (weight {hi:g}), "
        + half_text(shift(frontier, hi, 1), mean(hi, 1), "borderline", k)
        + f"; harmful requests were refused {pct(mean(hi, 0))}."
    )
    if rl_rows:
        weights_rl = [w for w in rl_rows if w != "SFT"]
        r0, r1, sft = rl_rows[weights_rl[0]], rl_rows[weights_rl[-1]], rl_rows["SFT"]
        text += (
            f" Trained with RLOO against the reward models of safety weight "
            f"{weights_rl[0]:g} and {weights_rl[-1]:g}, the policy refused "
            f"{pct(r0['refusal_harmful'])} and {pct(r1['refusal_harmful'])} of harmful requests "
            f"and {pct(r0['refusal_borderline'])} and {pct(r1['refusal_borderline'])} of "
            f"borderline ones (the SFT model: {pct(sft['refusal_harmful'])} and "
            f"{pct(sft['refusal_borderline'])})."
        )
    return text


def half_text(c: Shift, value: float, group: str, seeds: int) -> str:
    """One half of the pendulum in words: the refusal rate of ``group`` after the push, its
    change from the neutral annotators' and whether that is beyond its spread over seeds."""
    what = {
        "harmful": {
            "down": "harmful requests got through",
            "up": "refusal of harmful requests rose",
        },
        "borderline": {
            "up": "the reward model over-refused harmless borderline requests",
            "down": "refusal of harmless borderline requests fell",
        },
    }[group]
    change = f"{100 * c.change:+.0f} points"
    if c.verdict == "one seed":
        return (
            f"refusal of {group} requests was {pct(value)} ({change}; one seed, no spread to "
            "judge noise by)"
        )
    spread = f"spread {100 * c.sd:.0f} points over {seeds} seeds"
    if c.verdict == "within noise":
        return f"refusal of {group} requests was {pct(value)} ({change}, within noise: {spread})"
    return f"{what[c.verdict]}: {pct(value)} refused ({change}, {spread})"


def notes(rl_rows) -> list[str]:
    rl_note = (
        "; the RLOO rows train a policy against it"
        if rl_rows
        else " (policy=rloo also trains one with RL against it)"
    )
    return [
        "the frontier's policy is best-of-n over one candidate answer of each style per "
        "prompt, chosen by the reward model: it shows what each reward model would teach" + rl_note,
        "the course's dosage scenario (a nurse and a user at risk) is the lab 'The dosage "
        "trade-off' (experiment dosage_tradeoff)",
    ]
