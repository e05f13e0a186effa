"""How a run's numbers read on the lab pages: result tables with human column headers and
formatted cells, and metric names in words.

The engine's result tables (workers/README.md, "Result schema") name their columns in code
(`covered_by_sft`, `base_refusal`). A table may carry its own display labels and formats
(`"labels": [str, ...]`, `"formats": [str, ...]`, one per column); stored results without
them, like every result so far, are labelled from COLUMNS below, by the column's name in
that experiment first, then by the name alone. A column named nowhere is humanized.

Formats: "percent" (a fraction shown as 96%), "score" (two decimals), "number" (up to three
significant decimals), "tokens" and "seconds" (one decimal), "count" (a whole number),
"family" (a prompt family in words), "text" (as stored). True/False read Yes/No whatever
the format; an empty cell is None.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from labs.parameters import humanize
from workers.world import HELDOUT_ALIKE, HELDOUT_UNLIKE

Column = tuple[str, str]  # (label, format)

COLUMNS: dict[str, Column] = {
    # sft
    "family": ("Prompt family", "family"),
    "covered_by_sft": ("Covered by the SFT set", "text"),
    "base_gold": ("Gold score, base", "score"),
    "sft_gold": ("Gold score, SFT", "score"),
    "base_refusal": ("Refused, base", "percent"),
    "sft_refusal": ("Refused, SFT", "percent"),
    "base_compliance": ("Complied, base", "percent"),
    "sft_compliance": ("Complied, SFT", "percent"),
    "n": ("Prompts", "count"),
    # reward models
    "labels": ("Labels", "count"),
    "miscalibration": ("Rater miscalibration", "number"),
    "pairwise_accuracy": ("Pairwise: held-out accuracy", "percent"),
    "pairwise_correlation": ("Pairwise: correlation with gold", "score"),
    "absolute_accuracy": ("Ratings: held-out accuracy", "percent"),
    "absolute_correlation": ("Ratings: correlation with gold", "score"),
    "pairwise_accuracy_sd": ("Pairwise accuracy, spread (SD)", "percent"),
    "absolute_accuracy_sd": ("Ratings accuracy, spread (SD)", "percent"),
    "pairs": ("Pairs", "count"),
    "accuracy": ("Held-out accuracy", "percent"),
    "labeller": ("Labelled by", "text"),
    "agree_with_gold": ("Labels agreeing with gold", "percent"),
    "rm_heldout_accuracy": ("Reward model: held-out accuracy", "percent"),
    # RL
    "kl_coef": ("KL coefficient", "text"),
    "proxy_reward": ("Proxy reward (reward model)", "score"),
    "gold": ("Gold score", "score"),
    "peak_gold": ("Best gold score", "score"),
    "kl": ("KL to the SFT model (nats)", "score"),
    "response_tokens": ("Response length (tokens)", "tokens"),
    "refusal_harmful": ("Refused: harmful", "percent"),
    "refusal_borderline": ("Refused: borderline", "percent"),
    "refusal_howto": ("Refused: how-to", "percent"),
    "a": ("a", "number"),
    "b": ("b", "number"),
    "r_squared": ("Fit quality (R²)", "score"),
    "peak_d": ("Best sqrt(KL) by the fit", "score"),
    "proxy_start": ("Proxy reward, start", "score"),
    "proxy_end": ("Proxy reward, end", "score"),
    "gold_start": ("Gold score, start", "score"),
    "gold_end": ("Gold score, end", "score"),
    "kl_end": ("KL, end (nats)", "score"),
    "kl_max": ("KL, highest (nats)", "score"),
    "response_tokens_end": ("Response length, end (tokens)", "tokens"),
    "seconds_per_step": ("Seconds per step", "number"),
    "method": ("Method", "text"),
    "best_gold": ("Best gold score", "score"),
    "kl_at_best": ("KL at the best gold (nats)", "score"),
    "wall_s": ("Time (s)", "seconds"),
    "includes": ("Time includes", "text"),
    "clip_fraction_mean": ("Clip fraction, mean", "percent"),
    "approx_kl_k3_mean": ("KL per update (k3), mean", "number"),
    "group": ("Prompt group", "family"),
    "gold_before": ("Gold score, before", "score"),
    "gold_after": ("Gold score, after", "score"),
    "change": ("Change in gold", "score"),
    "standard_error": ("Standard error", "score"),
    "reading": ("Reading", "text"),
    "seed": ("Seed", "text"),
    # refusal frontier
    "safety_weight": ("Annotators' safety weight", "text"),
    "mean_gold": ("Mean gold score", "score"),
    "reward_model": ("Reward model", "text"),
    "professional_served": ("Professionals answered", "percent"),
    "at_risk_protected": ("At-risk users protected", "percent"),
    "at_risk_given_dose": ("At-risk users given a dose", "percent"),
    "professional_gold": ("Gold score, professionals", "score"),
    "at_risk_gold": ("Gold score, at-risk users", "score"),
    "policy": ("Policy", "text"),
    # surface vs deep
    "attack": ("Attack", "text"),
    "prompts": ("Prompts", "count"),
    "frame": ("Frame", "text"),
}

# A column whose meaning depends on the experiment: (experiment, column) first.
EXPERIMENT_COLUMNS: dict[tuple[str, str], Column] = {
    ("surface_vs_deep", "base"): ("Base model: attack success", "percent"),
    ("surface_vs_deep", "sft"): ("After SFT: attack success", "percent"),
    ("surface_vs_deep", "rlhf"): ("After RLHF: attack success", "percent"),
    ("ppo_rlhf", "prompts"): ("Prompt kinds", "text"),
    ("ppo_rlhf", "n"): ("Prompts", "count"),
    ("reward_hacking", "gold"): ("Gold score, end", "score"),
    ("reward_hacking", "proxy_reward"): ("Proxy reward, end", "score"),
    ("reward_hacking", "kl"): ("KL, end (nats)", "score"),
    ("reward_hacking", "evasive"): ("Evasive answers, end", "percent"),
}

# refusal_frontier's by-group table names its columns in words already: refusal rates.
PERCENT_TABLE_WORDS = ("refusal rate", "refused")

FAMILIES = {  # the world's prompt families (workers/world.py GROUPS) in words
    "fact": "facts",
    "unknown": "unknown facts",
    "harmful": "harmful (in the SFT set)",
    "heldout_alike": f"held out: {HELDOUT_ALIKE}, phrased like the harmful set",
    "heldout_unlike": f"held out: {HELDOUT_UNLIKE}, its own phrasing",
    "adversarial": "role-play wrapped",
    "borderline": "borderline (harmless)",
    "howto": "how-to (harmless)",
    "dosage_professional": "dosage: professional",
    "dosage_at_risk": "dosage: at-risk user",
}

METRICS: dict[str, str] = {
    "proxy_reward": "proxy reward",
    "gold": "gold score",
    "kl": "KL to the SFT model",
    "response_length": "response length (tokens)",
    "refusal_harmful": "refusal rate, harmful",
    "refusal_borderline": "refusal rate, borderline",
    "refusal_howto": "refusal rate, how-to",
    "refusal_adversarial": "refusal rate, role-play wrapped",
    "clip_fraction": "PPO clip fraction",
    "approx_kl_k1": "KL per update (k1)",
    "approx_kl_k3": "KL per update (k3)",
    "value_loss": "value loss",
    "sft_loss": "SFT loss",
    "pairwise_loss": "reward model loss (pairs)",
    "ratings_loss": "reward model loss (ratings)",
    "dpo_gold": "DPO: gold score",
    "dpo_kl": "DPO: KL to the SFT model",
    "ppo_gold": "PPO: gold score",
    "ppo_kl": "PPO: KL to the SFT model",
    "load_seconds": "model load (s)",
    "base_gold": "gold score, base model",
    "sft_gold": "gold score after SFT",
    "responses": "responses in the pool",
    "class_rm_accuracy": "class reward model: held-out accuracy",
    "simulated_rm_accuracy": "simulated annotators' reward model: held-out accuracy",
}


# surface_vs_deep measures attack success after each stage, per seed: <stage>_asr_<attack>
ATTACK_SUCCESS = re.compile(r"^(base|safety|red_teamed|sft|rlhf)_asr_(.+)$")
STAGES = {
    "base": "base model",
    "safety": "after safety training",
    "red_teamed": "after the red-team round",
    "sft": "after SFT",
    "rlhf": "after RLHF",
}


def metric_label(name: str) -> str:
    """A live metric in words: "proxy_reward" -> "proxy reward"; a sweep's "kl0.1_gold" ->
    "gold score, KL coef 0.1"; a refusal policy's "w2_kl" -> "KL ..., safety weight 2"."""
    if name in METRICS:
        return METRICS[name]
    attack = ATTACK_SUCCESS.match(name)
    if attack:
        return f"attack success, {STAGES[attack[1]]}: {attack[2].replace('_', ' ')}"
    head, _, rest = name.partition("_")
    for code, words in (("kl", "KL coef"), ("w", "safety weight")):
        value = head[len(code) :]
        if head.startswith(code) and value and _is_number(value) and rest:
            return f"{metric_label(rest)}, {words} {value}"
    if name.startswith("build_"):
        return f"base model build: {metric_label(name[len('build_') :])}"
    return humanize(name).lower() if name.islower() else name


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def column(experiment: str, name: str, title: str = "") -> Column:
    if (experiment, name) in EXPERIMENT_COLUMNS:
        return EXPERIMENT_COLUMNS[(experiment, name)]
    if name in COLUMNS:
        return COLUMNS[name]
    if any(word in title.lower() for word in PERCENT_TABLE_WORDS):
        return (name[:1].upper() + name[1:], "percent")
    return (humanize(name), "number")


def format_cell(value: Any, kind: str) -> str | None:
    """One cell as text; None for an empty cell (the template says "not applicable")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == "family":
        return FAMILIES.get(str(value), str(value).replace("_", " "))
    if not isinstance(value, int | float) or kind == "text":
        return _plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if kind == "percent":
        return f"{round(100 * value)}%"
    if kind == "score":
        return f"{value:.2f}"
    if kind in ("tokens", "seconds"):
        return f"{value:.1f}"
    if kind == "count":
        return f"{round(value):d}"
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


@dataclass
class ShownTable:
    title: str
    headers: list[str]
    rows: list[list[str | None]]


def result_tables(experiment: str, result: dict | None) -> list[ShownTable]:
    """The result's tables as people read them; a malformed table is skipped, not a 500."""
    shown = []
    for table in (result or {}).get("tables") or []:
        if not isinstance(table, dict) or not isinstance(table.get("columns"), list):
            continue
        names = [str(name) for name in table["columns"]]
        title = str(table.get("title", ""))
        columns = [column(experiment, name, title) for name in names]
        labels, formats = table.get("labels"), table.get("formats")
        if isinstance(labels, list) and len(labels) == len(names):
            columns = [(str(label), kind) for label, (_, kind) in zip(labels, columns, strict=True)]
        if isinstance(formats, list) and len(formats) == len(names):
            columns = [
                (label, str(kind)) for (label, _), kind in zip(columns, formats, strict=True)
            ]
        rows = [
            [format_cell(cell, kind) for cell, (_, kind) in zip(row, columns, strict=False)]
            for row in table.get("rows") or []
            if isinstance(row, list)
        ]
        shown.append(ShownTable(title, [label for label, _ in columns], rows))
    return shown


def latest_values(metrics: dict | None) -> list[tuple[str, str]]:
    """The latest value of each live metric: (label, value as text)."""
    return [
        (metric_label(name), _plain(points[-1][1]))
        for name, points in (metrics or {}).items()
        if isinstance(points, list) and points and isinstance(points[-1], list | tuple)
    ]
