"""What every experiment does first: prepare the runtime, get the base model (building the
default one if it is missing, with its progress reported) and load it; and the pieces every
result is made of."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from workers.base_model import load_causal_lm, preset_name, resolve_base_model
from workers.runtime import Report, device, prepare_runtime


def load_base(report: Report, *, two_gaps: bool = False) -> tuple[Any, Any, str, float]:
    """(model, tokenizer, name, seconds). Reports build progress if it has to build.
    ``two_gaps``: the preset's two-gap world variant (the surface vs deep lab's own)."""
    prepare_runtime()
    t0 = time.perf_counter()

    def build_report(step: int, total: int, metrics: dict[str, float], samples: list) -> None:
        report(step, total, {f"build_{k}": v for k, v in metrics.items()}, samples)

    name = resolve_base_model(build_report, two_gaps=two_gaps)
    model, tokenizer = load_causal_lm(name)
    return model, tokenizer, name, time.perf_counter() - t0


def sample_record(rec: dict[str, Any], model: str, proxy: float | None = None) -> dict[str, Any]:
    out = {
        "prompt": rec["info"].prompt,
        "response": rec["response"],
        "family": rec["info"].group,
        "gold": round(rec["gold"], 3),
        "model": model,
    }
    if proxy is not None:
        out["proxy"] = round(proxy, 3)
    return out


def result_shell(base: str) -> dict[str, Any]:
    return {
        "headline": "",
        "series": {},
        "tables": [],
        "samples": [],
        "timings": {},
        "device": device(),
        "base_model": base,
        "base_model_label": base_model_label(base),
        "notes": [],
    }


def base_model_label(base: str) -> str:
    """Which base model a run used, in words for its page: the preset the worker builds
    (default, small, gpt2-small) or the directory/hub id LABS_BASE_MODEL named."""
    if os.environ.get("LABS_BASE_MODEL"):
        return base
    return f"the {preset_name()} preset"


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def seed_verdict(change: float, sd: float | None, *, up: str, down: str, tie: str) -> str:
    """The one rule every lab judges a change over seeds by: with one seed there is no
    spread to tell it from noise ("one seed"); a mean change no larger than its standard
    deviation over seeds is `tie` (within noise); otherwise `up` or `down`."""
    if sd is None:
        return "one seed"
    if abs(change) <= sd:
        return tie
    return up if change > 0 else down


def mean_and_spread(values: list[float]) -> tuple[float, float | None]:
    """The mean over seeds and its spread (standard deviation; None with one seed)."""
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None
