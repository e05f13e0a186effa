"""Chart data for the lab pages (rendered by static/js/labs.js with Chart.js)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from labs.display import ATTACK_SUCCESS, FAMILIES, metric_label
from labs.models import LabRun
from labs.parameters import humanize


def _line(label: str, points: list) -> dict[str, Any]:
    return {"label": label, "points": points}


def _is_numeric(lines: list[dict]) -> bool:
    return all(isinstance(p[0], int | float) for line in lines for p in line["points"])


SERIES_TITLES = {
    "reward_over_steps": "Proxy reward and gold score over RL",
    "gold_vs_sqrt_kl": "Gold score against sqrt(KL)",
    "kl_over_steps": "KL to the SFT model over RL",
    "response_length": "Response length over RL",
    "gold_by_family": "Gold score by prompt family",
    "gold_by_group": "Gold score by prompt group",
    "attack_success": "Attack success rate",
    "ppo_diagnostics": "PPO diagnostics",
    "proxy_reward": "Proxy reward (reward model)",
    "gold": "Gold score (true preference)",
    "kl": "KL to the SFT model",
    "gold_over_training": "Gold score over training",
    "answer_kinds": "Kinds of answer over RL (share of answers)",
    "rl_gold": "Gold score over RL, by reward model",
}


def _series_charts(series: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    charts = []
    for name, spec in (series or {}).items():
        if "lines" in spec:
            lines = [_line(f"{prefix}{label}", pts) for label, pts in spec["lines"].items()]
            if name in ("gold_by_family", "gold_by_group"):  # categories in words
                lines = [
                    _line(line["label"], [[FAMILIES.get(x, x), y] for x, y in line["points"]])
                    for line in lines
                ]
        else:
            lines = [_line(f"{prefix}{name}", spec.get("points", []))]
        charts.append(
            {
                "id": name,
                "title": SERIES_TITLES.get(name) or humanize(name),
                "x_label": spec.get("x_label", ""),
                "y_label": spec.get("y_label", ""),
                "numeric_x": _is_numeric(lines),
                "lines": lines,
            }
        )
    return charts


# Live metrics drawn while a run trains: metric (without a sweep's prefix) -> (phase, chart,
# line). A run goes through phases (base model build, SFT, reward model, DPO, RL), each with
# its own step counter; the engine reports one step count across them, so a chart's x is
# the step within the metric's phase, counted from that phase's first point.
LIVE_METRICS: dict[str, tuple[str, str, str]] = {
    "build_loss": ("build", "build-loss", "pretraining loss"),
    "sft_loss": ("sft", "sft-loss", "SFT"),
    "pairwise_loss": ("rm", "rm-loss", "pairs (Bradley-Terry)"),
    "ratings_loss": ("rm", "rm-loss", "ratings"),
    "dpo_gold": ("dpo", "measured-gold", "DPO"),
    "dpo_kl": ("dpo", "measured-kl", "DPO"),
    "ppo_gold": ("rl", "measured-gold", "PPO"),
    "ppo_kl": ("rl", "measured-kl", "PPO"),
    "proxy_reward": ("rl", "rl-reward", "proxy reward (reward model)"),
    "gold": ("rl", "rl-reward", "gold score (true preference)"),
    "kl": ("rl", "rl-kl", "KL"),
    "response_length": ("rl", "rl-length", "response length"),
    "refusal_harmful": ("rl", "rl-refusal", "harmful requests"),
    "refusal_borderline": ("rl", "rl-refusal", "borderline requests"),
    "refusal_howto": ("rl", "rl-refusal", "how-to requests"),
    "refusal_adversarial": ("rl", "rl-refusal", "role-play wrapped requests"),
    "clip_fraction": ("rl", "rl-clip", "clip fraction"),
    "value_loss": ("rl", "rl-value", "value loss"),
    "approx_kl_k1": ("rl", "rl-update-kl", "k1 estimate"),
    "approx_kl_k3": ("rl", "rl-update-kl", "k3 estimate"),
}
LIVE_CHARTS: dict[str, tuple[str, str]] = {  # chart -> (title, y label)
    "build-loss": ("Building the base model", "loss"),
    "sft-loss": ("SFT loss", "loss on the responses"),
    "rm-loss": ("Reward model training loss", "loss"),
    "measured-gold": ("Gold score while training", "gold score"),
    "measured-kl": ("KL to the SFT model while training", "KL (nats)"),
    "rl-reward": ("Reward during RL", "score"),
    "rl-kl": ("KL to the SFT model during RL", "KL (nats, summed over the response)"),
    "rl-length": ("Response length during RL", "tokens"),
    "rl-refusal": ("Refusal rate during RL", "share of answers that refuse"),
    "rl-clip": ("PPO clip fraction", "share of tokens clipped"),
    "rl-value": ("PPO value loss", "loss"),
    "rl-update-kl": ("How far each PPO update moved the policy", "KL old to new, per token"),
}
PHASE_NAMES = {"build": "pretraining", "sft": "SFT", "rm": "reward model", "dpo": "DPO", "rl": "RL"}
RL_NAMES = {"ppo_rlhf": "PPO", "dpo_vs_ppo": "PPO"}
# The parameter that sets a phase's length, per experiment (the engine's own defaults
# otherwise, when known: SFT_STEPS in rlhf_setup).
PHASE_LENGTHS: dict[tuple[str, str], str] = {
    ("sft", "sft"): "steps",
    ("surface_vs_deep", "sft"): "safety_steps",
    ("reward_hacking", "sft"): "sft_steps",
    ("reward_hacking", "rl"): "steps",
    ("ppo_rlhf", "rl"): "steps",
    ("refusal_frontier", "rl"): "rl_steps",
    ("dosage_tradeoff", "rl"): "rl_steps",
    ("dpo_vs_ppo", "dpo"): "dpo_steps",
    ("dpo_vs_ppo", "rl"): "ppo_steps",
}
DEFAULT_SFT_STEPS = 36
# Measured every `eval_every` steps rather than every step.
MEASURED_EVERY = {"dpo_gold", "dpo_kl", "ppo_gold", "ppo_kl"}
# Reported at every step of their phase (a refusal rate is not: a batch may hold no
# prompt of the family).
EVERY_STEP = {"sft_loss", "pairwise_loss", "ratings_loss", "proxy_reward", "kl"}
# A finished run's result series that draw (smoothed) what a live chart drew: the live
# chart is left out once the run has finished.
COVERED_BY: dict[str, set[str]] = {
    "sft_loss": {"sft-loss"},
    "pairwise_loss": {"rm-loss"},
    "reward_over_steps": {"rl-reward"},
    "kl_over_steps": {"rl-kl"},
    "response_length": {"rl-length"},
    "proxy_reward": {"rl-reward"},
    "gold": {"rl-reward"},
    "kl": {"rl-kl"},
    "ppo_diagnostics": {"rl-clip", "rl-value", "rl-update-kl"},
    "gold_over_training": {"measured-gold"},
}
SWEEP_PREFIX = re.compile(r"^(kl|w)(-?\d+(?:\.\d+)?(?:e-?\d+)?)_(.+)$")


@dataclass
class Metric:
    name: str
    base: str  # without a sweep's prefix
    variant: str  # "KL coef 0.1", "safety weight 2", "" for the main run
    phase: str | None
    points: list


def _parse(name: str, points: list) -> Metric:
    match = SWEEP_PREFIX.match(name)
    base, variant = name, ""
    if match and match[3] in LIVE_METRICS:
        words = "KL coef" if match[1] == "kl" else "safety weight"
        base, variant = match[3], f"{words} {match[2]}"
    phase = LIVE_METRICS[base][0] if base in LIVE_METRICS else None
    return Metric(name, base, variant, phase, points)


def _metrics(metrics: dict | None) -> list[Metric]:
    return [
        _parse(name, points)
        for name, points in (metrics or {}).items()
        if isinstance(points, list) and points
    ]


def _contiguous(points: list) -> bool:
    steps = [int(p[0]) for p in points]
    return all(b == a + 1 for a, b in zip(steps, steps[1:], strict=False))


def _offsets(metrics: list[Metric], run: LabRun) -> dict[tuple[str, str], int | None]:
    """Where each (phase, variant) starts on the run's one step count: its first point is
    its step 1 (trainers log every step; the RL loop reports every step), except in a phase
    measured only every few steps (DPO's gold and KL every `eval_every`), whose first
    point is that many steps in. None for a phase whose every-step metric restarts or skips
    steps (an experiment that trains it several times under one name, once per seed): its
    points keep the run's own step count rather than overlap."""
    firsts: dict[tuple[str, str], int] = {}
    dense: set[tuple[str, str]] = set()
    broken: set[tuple[str, str]] = set()
    for m in metrics:
        if m.phase is None:
            continue
        first = min(int(p[0]) for p in m.points)
        key = (m.phase, m.variant)
        firsts[key] = min(first, firsts.get(key, first))
        if m.base not in MEASURED_EVERY:
            dense.add(key)
        if m.base in EVERY_STEP and not _contiguous(m.points):
            broken.add(key)
    offsets: dict[tuple[str, str], int | None] = {}
    for key, first in firsts.items():
        into = 1
        if key not in dense:
            every = (run.params or {}).get("eval_every")
            length = _phase_length(run, run.lab.experiment, key[0])
            if isinstance(every, int) and every > 0:
                into = min(every, length) if length else every
        offsets[key] = None if key in broken else first - into
    return offsets


def _phase_name(phase: str, experiment: str) -> str:
    return RL_NAMES.get(experiment, "RL") if phase == "rl" else PHASE_NAMES[phase]


def live_charts(run: LabRun, experiment: str, label: str = "") -> list[dict[str, Any]]:
    """One chart per quantity, a line per metric (and per sweep run), x the step within the
    metric's own phase. Metrics of a single value (load time, a score before training) are
    in the Latest values table, not charted; a phase's first point is charted at once."""
    metrics = _metrics(run.metrics)
    offsets = _offsets(metrics, run)
    main_coef = (run.params or {}).get("kl_coef")
    has_variants = any(m.variant for m in metrics)
    charts: dict[str, dict[str, Any]] = {}
    for m in metrics:
        if m.phase is None:
            if len(m.points) < 2 or ATTACK_SUCCESS.match(m.name):
                continue  # in the Latest values table; attack success is a result chart
            chart_id, title, x_label, offset = f"live-{m.name}", humanize(m.name), "step", 0
            line = y_label = metric_label(m.name)
        else:
            _, chart_id, line = LIVE_METRICS[m.base]
            title, y_label = LIVE_CHARTS[chart_id]
            offset = offsets[(m.phase, m.variant)]
            x_label = f"{_phase_name(m.phase, experiment)} step"
            if offset is None:
                offset, x_label = 0, "step of the whole run"
            if chart_id.startswith("measured-"):
                x_label = "DPO step / PPO step"
            variant = m.variant
            if not variant and has_variants and m.phase == "rl" and main_coef is not None:
                variant = f"KL coef {main_coef:g}" if isinstance(main_coef, int | float) else ""
            if variant:
                line = f"{line}, {variant}"
        if label:
            line = f"{label}: {line}"
        chart = charts.setdefault(
            chart_id,
            {
                "id": chart_id,
                "title": title,
                "x_label": x_label,
                "y_label": y_label,
                "numeric_x": True,
                "lines": [],
            },
        )
        points = [[p[0] - offset, p[1]] for p in m.points]
        chart["lines"].append(_line(line, points))
    return list(charts.values())


def phase_progress(run: LabRun) -> str:
    """What the run is doing, in its current phase's own steps: "RL step 1 of 100" rather
    than the run's one count across phases ("Step 259 of 458"). Empty when the latest
    report belongs to no phase (the page then shows the overall step)."""
    metrics = [m for m in _metrics(run.metrics) if m.phase is not None]
    if not metrics:
        return ""
    if any(m.phase != "build" for m in metrics):  # the build counts its own steps first
        metrics = [m for m in metrics if m.phase != "build"]
    latest = max(metrics, key=lambda m: max(int(p[0]) for p in m.points))
    last_step = max(int(p[0]) for p in latest.points)
    offsets = _offsets(metrics, run)
    experiment = run.lab.experiment
    offset = offsets[(latest.phase, latest.variant)]
    if offset is None:
        return ""
    step = run.step - offset
    length = _phase_length(run, experiment, latest.phase)
    # A trainer ticks a step's end before it logs that step's loss: one step past the
    # latest point is still the phase, unless that is past the phase's known length.
    if run.step > last_step + 1 or (run.step == last_step + 1 and length and step > length):
        return ""  # between phases: measuring, sampling, preparing the next one
    text = f"{_phase_name(latest.phase, experiment)} step {step}"
    if length:
        text += f" of {length}"
    if latest.variant:
        text += f" ({latest.variant})"
    return text[:1].upper() + text[1:]


def _phase_length(run: LabRun, experiment: str, phase: str) -> int | None:
    name = PHASE_LENGTHS.get((experiment, phase))
    value = (run.params or {}).get(name) if name else None
    if value is None and phase == "sft" and experiment != "sft":
        return DEFAULT_SFT_STEPS
    return value if isinstance(value, int) else None


def run_charts(run: LabRun) -> dict[str, Any]:
    """Live metric charts (grown by step within each phase) and, when finished, the
    experiment's own result charts, which replace the live charts they draw again."""
    final = _series_charts((run.result or {}).get("series", {}))
    covered = {chart_id for chart in final for chart_id in COVERED_BY.get(chart["id"], ())}
    covered |= {f"live-{chart['id']}" for chart in final}
    live = [chart for chart in live_charts(run, run.lab.experiment) if chart["id"] not in covered]
    return {"live": live, "final": final, "active": run.is_active}


def run_label(run: LabRun, varying: list[str]) -> str:
    details = ", ".join(f"{humanize(key)} {run.params.get(key)}" for key in varying)
    return f"run {run.pk}" + (f" ({details})" if details else "")


def varying_params(runs: list[LabRun]) -> list[str]:
    keys = sorted({key for run in runs for key in run.params})
    return [key for key in keys if len({repr(run.params.get(key)) for run in runs}) > 1]


def compare_charts(runs: list[LabRun], experiment: str = "") -> list[dict[str, Any]]:
    """Overlay several finished runs: one chart per curve or result series with a line per
    run, and, when one numeric parameter varies (a sweep made of separate runs), each
    finding against that parameter."""
    varying = varying_params(runs)
    charts: dict[str, dict[str, Any]] = {}
    for run in runs:
        label = run_label(run, varying)
        series = _series_charts((run.result or {}).get("series", {}), prefix=f"{label}: ")
        covered = {chart_id for chart in series for chart_id in COVERED_BY.get(chart["id"], ())}
        covered |= {f"live-{chart['id']}" for chart in series}
        for chart in live_charts(run, experiment, label) + series:
            if chart["id"] in covered:
                continue
            merged = charts.setdefault(chart["id"], {**chart, "lines": []})
            merged["lines"].extend(chart["lines"])
            merged["numeric_x"] = merged["numeric_x"] and chart["numeric_x"]
    sweep = _sweep_chart(runs, varying)
    return ([sweep] if sweep else []) + list(charts.values())


def _sweep_chart(runs: list[LabRun], varying: list[str]) -> dict[str, Any] | None:
    numeric = [
        key for key in varying if all(isinstance(run.params.get(key), int | float) for run in runs)
    ]
    if len(numeric) != 1:
        return None
    key = numeric[0]
    ordered = sorted(runs, key=lambda run: run.params[key])
    names = sorted(
        {
            name
            for run in runs
            for name, value in ((run.result or {}).get("findings") or {}).items()
            if isinstance(value, int | float)
        }
    )
    lines = []
    for name in names:
        points = [
            [run.params[key], run.result["findings"][name]]
            for run in ordered
            if isinstance((run.result.get("findings") or {}).get(name), int | float)
        ]
        lines.append(_line(name.replace("_", " "), points))
    if not lines:
        return None
    return {
        "id": "sweep",
        "title": f"Findings against {humanize(key)}",
        "x_label": humanize(key),
        "y_label": "finding",
        "numeric_x": True,
        "lines": lines,
    }
